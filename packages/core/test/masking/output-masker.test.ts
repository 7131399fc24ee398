import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MIN_MASKED_RUN, maskText, OutputMasker, secretForms } from "../../src/masking/index.js";

const MASK = "*";

/** Every run the masker must never let through: 8-char windows, or whole shorter secrets. */
function forbidden(secrets: readonly string[]): string[] {
  const out = new Set<string>();
  for (const s of secrets) {
    const chars = Array.from(s);
    if (chars.length === 0) continue;
    if (chars.length < MIN_MASKED_RUN) out.add(s);
    else
      for (let i = 0; i + MIN_MASKED_RUN <= chars.length; i++)
        out.add(chars.slice(i, i + MIN_MASKED_RUN).join(""));
  }
  return [...out];
}

/** Feeds chunks (stream index, bytes) through one masker; what each stream and both wrote. */
function feed(
  secrets: readonly string[],
  chunks: ReadonlyArray<readonly [number, Buffer | string]>,
  options: { endOrder?: number[]; mask?: string } = {},
): { streams: string[]; combined: string; writes: Array<[number, string]> } {
  const masker = new OutputMasker(secrets, { mask: options.mask ?? MASK });
  const bytes: Buffer[][] = [[], []];
  const all: Buffer[] = [];
  const writes: Array<[number, string]> = [];
  const streams = [0, 1].map((i) =>
    masker.stream((b) => {
      bytes[i]?.push(Buffer.from(b));
      all.push(Buffer.from(b));
      writes.push([i, b.toString("latin1")]);
    }),
  );
  for (const [i, c] of chunks) streams[i]?.push(c);
  for (const i of options.endOrder ?? [0, 1]) streams[i]?.end();
  return {
    streams: bytes.map((b) => Buffer.concat(b).toString("utf8")),
    combined: Buffer.concat(all).toString("utf8"),
    writes,
  };
}

function oneStream(secrets: string[], chunks: Array<string | Buffer>, mask = "***"): string {
  return feed(
    secrets,
    chunks.map((c) => [0, c] as const),
    { mask },
  ).streams[0] as string;
}

describe("OutputMasker: examples", () => {
  it("masks a value added while the output goes on, from then on, on every stream, in its forms", () => {
    const out: Buffer[][] = [[], []];
    const masker = new OutputMasker([], { mask: "***", forms: ["url"] });
    const a = masker.stream((b) => out[0]?.push(b));
    const b = masker.stream((c) => out[1]?.push(c));
    const late = "made by/a script 42";
    a.push("before: made by/a script 42\n");
    masker.add([late, "", late]);
    a.push("after: made by/a script 42\n");
    b.push("url: made%20by%2Fa%20script%2042 and split: made by/a ");
    b.push("script 42\n");
    a.end();
    b.end();
    // Written before it was known: as it was (the caller adds a value before it can be written).
    expect(Buffer.concat(out[0] ?? []).toString()).toBe(
      "before: made by/a script 42\nafter: ***\n",
    );
    expect(Buffer.concat(out[1] ?? []).toString()).toBe("url: *** and split: ***\n");
  });

  it("masks a secret inside one chunk as one mask", () => {
    expect(oneStream(["hunter2"], ["pw=hunter2;"])).toBe("pw=***;");
  });

  it("masks a secret split at every possible chunk boundary, whole", () => {
    const text = "a correct-horse-battery b";
    for (let i = 1; i < text.length; i++) {
      expect(oneStream(["correct-horse-battery"], [text.slice(0, i), text.slice(i)])).toBe(
        "a *** b",
      );
    }
  });

  it("masks a secret written one byte at a time, between ANSI colours", () => {
    const text = "\u001b[31mtoken: s3cr3t-value\u001b[0m\n";
    expect(
      oneStream(
        ["s3cr3t-value"],
        [...Buffer.from(text)].map((b) => Buffer.from([b])),
      ),
    ).toBe("\u001b[31mtoken: ***\u001b[0m\n");
  });

  it("masks overlapping and repeated secrets; adjacent occurrences become one mask", () => {
    expect(oneStream(["abc", "abcdef"], ["xabcdefx abc"])).toBe("x***x ***");
    expect(oneStream(["aa"], ["aaaaa"])).toBe("***");
  });

  it("masks multi-byte UTF-8 secrets split inside a character", () => {
    const bytes = Buffer.from("ключ=пароль!", "utf8");
    expect(oneStream(["пароль"], [bytes.subarray(0, 11), bytes.subarray(11)])).toBe("ключ=***!");
  });

  it("masks any 8-character run of a long secret, also with the rest of it missing", () => {
    const secret = "0123456789abcdefghij";
    expect(oneStream([secret], ["start 3456789abc end"])).toBe("start *** end");
    // Exactly 7 characters of it are below the limit and stay.
    expect(oneStream([secret], ["x 3456789 y"])).toBe("x 3456789 y");
  });

  it("passes text without secrets through unchanged and at once", () => {
    const out: string[] = [];
    const m = new OutputMasker(["zzz-secret-value"]);
    m.stream((b) => out.push(b.toString())).push("hello world\n");
    expect(out.join("")).toBe("hello world\n");
  });

  it("holds the beginning of a secret until the stream shows what follows, then shows it or masks it", () => {
    const out: string[] = [];
    const s = new OutputMasker(["password123"], { mask: "***" }).stream((b) =>
      out.push(b.toString()),
    );
    s.push("Enter: pass");
    expect(out.join("")).toBe("Enter: ");
    s.push("word123 ok\n");
    expect(out.join("")).toBe("Enter: *** ok\n");
    s.push("pass");
    s.push("port\n");
    expect(out.join("")).toBe("Enter: *** ok\npassport\n");
  });

  it("at the end of a stream, masks a held beginning of a secret (the child exited mid-value)", () => {
    expect(oneStream(["password123"], ["Enter: password12"])).toBe("Enter: ***");
    expect(oneStream(["password123"], ["Enter: pass"])).toBe("Enter: ***");
  });

  it("masks a value split between stdout and stderr", () => {
    const secret = "split-between-streams-42";
    const r = feed(
      [secret],
      [
        [0, "A "],
        [0, secret.slice(0, 12)],
        [1, secret.slice(12)],
        [0, " B\n"],
        [1, " C\n"],
      ],
    );
    for (const text of [...r.streams, r.combined]) {
      for (const bad of forbidden([secret])) expect(text).not.toContain(bad);
    }
    expect(r.streams[0]).toBe("A * B\n");
    expect(r.streams[1]).toBe("* C\n");
  });

  it("masks 7-character pieces of a value alternating between stdout and stderr", () => {
    const secret = "abcdefghijklmnopqrstu";
    const r = feed(
      [secret],
      [
        [0, "abcdefg"],
        [1, "hijklmn"],
        [0, "opqrstu"],
        [0, "\n"],
        [1, "\n"],
      ],
    );
    for (const bad of forbidden([secret])) expect(r.combined).not.toContain(bad);
  });

  it("never lets two streams' pieces touch where a masked byte was (a found counterexample)", () => {
    const secrets = ["c a  0c1ccéb", "1€c€€-bb 0", "cé0-b0\n0a cc"];
    const r = feed(secrets, [
      [0, "a  0c1cc"],
      [1, " 0"],
      [0, "-b0\n0a "],
    ]);
    for (const bad of forbidden(secrets)) expect(r.combined).not.toContain(bad);
  });

  it("masks the URL-encoded and JSON-escaped forms when asked", () => {
    const secret = 'p@ss/w"rd 1234';
    const text = `${encodeURIComponent(secret)} ${JSON.stringify(secret)}`;
    expect(maskText(text, [secret], { forms: ["url", "json"], mask: "#" })).toBe('# "#"');
    expect(secretForms(secret, ["url", "json"])).toHaveLength(3);
  });

  it("maskText leaves a trailing beginning of a secret in a complete text", () => {
    expect(maskText("see pass", ["password123"])).toBe("see pass");
  });
});

// --- properties --------------------------------------------------------------------------

/** Few characters, so secrets overlap, repeat and share pieces with the other output. */
const alphabet = fc.constantFrom("a", "b", "c", "-", "0", "1", "é", "€", "\n", " ");
const secret = fc.array(alphabet, { minLength: 1, maxLength: 24 }).map((cs) => cs.join(""));

/** Output built from pieces of the secrets and filler, each piece on a random stream. */
const scenario = fc.array(secret, { minLength: 1, maxLength: 3 }).chain((secrets) =>
  fc.record({
    secrets: fc.constant(secrets),
    pieces: fc.array(
      fc.record({
        stream: fc.integer({ min: 0, max: 1 }),
        text: fc.oneof(
          fc.array(alphabet, { maxLength: 6 }).map((cs) => cs.join("")),
          fc.tuple(fc.constantFrom(...secrets), fc.nat(), fc.nat()).map(([s, a, b]) => {
            const chars = Array.from(s);
            const from = a % chars.length;
            return chars.slice(from, from + 1 + (b % (chars.length - from))).join("");
          }),
          fc.constantFrom(...secrets),
        ),
      }),
      { maxLength: 24 },
    ),
    cuts: fc.array(fc.nat(), { maxLength: 40 }),
    endFirst: fc.integer({ min: 0, max: 1 }),
  }),
);

/** Split the pieces into byte chunks at random places (also inside UTF-8 characters). */
function chunked(
  pieces: ReadonlyArray<{ stream: number; text: string }>,
  cuts: readonly number[],
): Array<[number, Buffer]> {
  const chunks: Array<[number, Buffer]> = [];
  let c = 0;
  for (const p of pieces) {
    const bytes = Buffer.from(p.text, "utf8");
    let at = 0;
    while (at < bytes.length) {
      const size = 1 + ((cuts[c++ % Math.max(cuts.length, 1)] ?? bytes.length) % bytes.length);
      chunks.push([p.stream, bytes.subarray(at, at + size)]);
      at += size;
    }
  }
  return chunks;
}

describe("OutputMasker: properties", () => {
  it("no 8-character run of a secret (nor a whole shorter one) reaches either stream or their combined output", () => {
    fc.assert(
      fc.property(scenario, ({ secrets, pieces, cuts, endFirst }) => {
        const r = feed(secrets, chunked(pieces, cuts), { endOrder: [endFirst, 1 - endFirst] });
        for (const text of [...r.streams, r.combined])
          for (const bad of forbidden(secrets)) if (text.includes(bad)) return false;
        return true;
      }),
      { numRuns: 1500 },
    );
  });

  it("a stream cut off anywhere (the child exits mid-output) leaks no 8-character run either", () => {
    fc.assert(
      fc.property(scenario, fc.nat(), ({ secrets, pieces, cuts }, stop) => {
        const chunks = chunked(pieces, cuts);
        const r = feed(secrets, chunks.slice(0, chunks.length ? stop % (chunks.length + 1) : 0));
        for (const text of [...r.streams, r.combined])
          for (const bad of forbidden(secrets)) if (text.includes(bad)) return false;
        return true;
      }),
      { numRuns: 1000 },
    );
  });

  it("output sharing no character with any secret passes unchanged, whatever the chunking", () => {
    const plain = fc.array(fc.constantFrom("x", "y", "z", "\t", "ü"), { maxLength: 40 });
    fc.assert(
      fc.property(
        fc.array(secret, { minLength: 1, maxLength: 3 }),
        plain,
        fc.array(fc.nat()),
        (secrets, cs, cuts) => {
          const text = cs.join("");
          const r = feed(secrets, chunked([{ stream: 0, text }], cuts));
          return r.streams[0] === text;
        },
      ),
    );
  });

  it("a whole secret on one stream, however chunked, becomes exactly one mask", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom("k", "e", "y", "-", "7", "ß"), { minLength: 1, maxLength: 30 }),
        fc.array(fc.nat()),
        (cs, cuts) => {
          const s = cs.join("");
          const r = feed([s], chunked([{ stream: 0, text: `[${s}]\n` }], cuts));
          return r.streams[0] === "[*]\n";
        },
      ),
    );
  });
});
