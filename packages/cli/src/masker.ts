/**
 * Streaming secret masking. Replaces every occurrence of any secret in a byte stream, also
 * when a secret arrives split across chunks, however slowly the pieces come: a tail that
 * could be the start of a secret (at most the longest secret − 1 bytes) is held until the
 * next chunk shows what it is, or the stream ends. A part of a secret is never written.
 * The price: output that happens to end with the first characters of a secret shows them
 * only once more output (or the end) arrives.
 */
export interface MaskerOptions {
  /** What a secret becomes. Default "********". */
  mask?: string;
}

export class StreamMasker {
  readonly #secrets: Buffer[];
  readonly #mask: Buffer;
  readonly #hold: number;
  #pending: Buffer = Buffer.alloc(0);

  constructor(
    secrets: readonly string[],
    private readonly write: (chunk: Buffer) => void,
    options: MaskerOptions = {},
  ) {
    // Longest first, so a secret containing another is masked whole.
    this.#secrets = [...new Set(secrets.filter((s) => s.length > 0))]
      .map((s) => Buffer.from(s, "utf8"))
      .sort((a, b) => b.length - a.length);
    this.#mask = Buffer.from(options.mask ?? "********", "utf8");
    this.#hold = Math.max(0, (this.#secrets[0]?.length ?? 0) - 1);
  }

  push(chunk: Buffer | string): void {
    const data = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
    const buf = this.#pending.length ? Buffer.concat([this.#pending, data]) : data;
    const { parts, rest } = this.#scan(buf, false);
    for (const p of parts) if (p.length) this.write(p);
    this.#pending = rest;
  }

  /** Write out everything held: the stream has ended. */
  flush(): void {
    if (this.#pending.length === 0) return;
    const { parts } = this.#scan(this.#pending, true);
    this.#pending = Buffer.alloc(0);
    for (const p of parts) if (p.length) this.write(p);
  }

  #scan(buf: Buffer, final: boolean): { parts: Buffer[]; rest: Buffer } {
    const parts: Buffer[] = [];
    let i = 0;
    for (;;) {
      let best = -1;
      let bestLen = 0;
      for (const s of this.#secrets) {
        const at = buf.indexOf(s, i);
        if (at !== -1 && (best === -1 || at < best || (at === best && s.length > bestLen))) {
          best = at;
          bestLen = s.length;
        }
      }
      if (best === -1) break;
      parts.push(buf.subarray(i, best), this.#mask);
      i = best + bestLen;
    }
    if (final) {
      parts.push(buf.subarray(i));
      return { parts, rest: Buffer.alloc(0) };
    }
    // Hold back only a tail that could still be the start of a secret.
    let cut = buf.length;
    for (let start = Math.max(i, buf.length - this.#hold); start < buf.length; start++) {
      const tail = buf.subarray(start);
      if (
        this.#secrets.some((s) => s.length > tail.length && s.subarray(0, tail.length).equals(tail))
      ) {
        cut = start;
        break;
      }
    }
    parts.push(buf.subarray(i, cut));
    return { parts, rest: Buffer.from(buf.subarray(cut)) };
  }
}
