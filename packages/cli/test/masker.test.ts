import { describe, expect, it, vi } from "vitest";
import { StreamMasker } from "../src/masker.js";

function collect(secrets: string[], chunks: Array<string | Buffer>): string {
  const out: Buffer[] = [];
  const m = new StreamMasker(secrets, (b) => out.push(Buffer.from(b)), { mask: "***" });
  for (const c of chunks) m.push(c);
  m.flush();
  return Buffer.concat(out).toString("utf8");
}

describe("StreamMasker", () => {
  it("masks a secret inside one chunk", () => {
    expect(collect(["hunter2"], ["pw=hunter2;"])).toBe("pw=***;");
  });

  it("masks a secret split across every possible chunk boundary", () => {
    const text = "a hunter2 b";
    for (let i = 1; i < text.length; i++) {
      expect(collect(["hunter2"], [text.slice(0, i), text.slice(i)])).toBe("a *** b");
    }
  });

  it("masks a secret written one byte at a time, between ANSI colours", () => {
    const text = "\u001b[31mtoken: s3cr3t-value\u001b[0m\n";
    expect(collect(["s3cr3t-value"], [...text])).toBe("\u001b[31mtoken: ***\u001b[0m\n");
  });

  it("masks overlapping and repeated secrets, longest first", () => {
    expect(collect(["abc", "abcdef"], ["xabcdefx abc"])).toBe("x***x ***");
    expect(collect(["aa"], ["aaaaa"])).toBe("******a");
  });

  it("masks multi-byte UTF-8 secrets split inside a character", () => {
    const bytes = Buffer.from("ключ=пароль!", "utf8");
    const secret = "пароль";
    const chunks = [bytes.subarray(0, 11), bytes.subarray(11)];
    expect(collect([secret], chunks)).toBe("ключ=***!");
  });

  it("passes text without secrets through unchanged and does not hold it", () => {
    const out: string[] = [];
    const m = new StreamMasker(["zzz-secret"], (b) => out.push(b.toString()));
    m.push("hello world\n");
    expect(out.join("")).toBe("hello world\n");
  });

  it("holds a possible secret prefix however long the next chunk takes, never showing part of a secret", () => {
    vi.useFakeTimers();
    try {
      const out: string[] = [];
      const m = new StreamMasker(["password123"], (b) => out.push(b.toString()));
      m.push("Enter: pass");
      expect(out.join("")).toBe("Enter: ");
      vi.advanceTimersByTime(60_000);
      expect(out.join("")).toBe("Enter: ");
      m.push("word123 ok\n");
      expect(out.join("")).toBe("Enter: ******** ok\n");
      // Held bytes that turn out not to be a secret are shown as they were.
      m.push("pass");
      m.push("port\n");
      expect(out.join("")).toBe("Enter: ******** ok\npassport\n");
      // At the end of the stream whatever is held is written.
      m.push("pa");
      m.flush();
      expect(out.join("")).toBe("Enter: ******** ok\npassport\npa");
    } finally {
      vi.useRealTimers();
    }
  });

  it("ignores empty secrets", () => {
    expect(collect(["", "x1"], ["ax1b"])).toBe("a***b");
  });
});
