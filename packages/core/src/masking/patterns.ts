/**
 * What the masker looks for. A secret of at least MIN_MASKED_RUN characters is found by every
 * run of MIN_MASKED_RUN consecutive characters of it (its "windows"), so a part of it is masked
 * as surely as the whole; a shorter secret only as a whole. Patterns are UTF-8 bytes, kept as
 * latin1 strings (one char per byte) so a Set can look them up.
 */

/** No run of this many consecutive characters of a secret is left in masked output. */
export const MIN_MASKED_RUN = 8;

/** Encoded forms of a value that are masked as well as the value itself. */
export type SecretForm = "url" | "json";

/** The value and its chosen encoded forms, distinct and non-empty. */
export function secretForms(value: string, forms: readonly SecretForm[] = []): string[] {
  const out = new Set<string>();
  if (value !== "") out.add(value);
  for (const form of forms) {
    if (value === "") continue;
    if (form === "url") out.add(encodeURIComponent(value));
    else out.add(JSON.stringify(value).slice(1, -1));
  }
  return [...out];
}

export class Patterns {
  /** Pattern byte length → patterns of that length. */
  readonly #byLength = new Map<number, Set<string>>();
  /** Per length ≥ 2: which first two bytes some pattern starts with (a cheap pre-check). */
  readonly #starts = new Map<number, Uint8Array>();
  /** Whole values, longest first: a stream's tail that begins one of them is held. */
  readonly values: Buffer[];
  readonly #firstBytes = new Uint8Array(256);
  /** Bytes of context a search needs before new data: the longest pattern − 1. */
  readonly context: number;

  constructor(values: readonly string[], window: number = MIN_MASKED_RUN) {
    const distinct = [...new Set(values.filter((v) => v !== ""))];
    this.values = distinct.map((v) => Buffer.from(v, "utf8")).sort((a, b) => b.length - a.length);
    for (const v of this.values) this.#firstBytes[v[0] as number] = 1;
    let longest = 0;
    for (const value of distinct) {
      const chars = Array.from(value);
      const pieces =
        chars.length < window
          ? [value]
          : chars
              .slice(0, chars.length - window + 1)
              .map((_, i) => chars.slice(i, i + window).join(""));
      for (const piece of pieces) {
        const bytes = Buffer.from(piece, "utf8");
        let set = this.#byLength.get(bytes.length);
        if (!set) this.#byLength.set(bytes.length, (set = new Set()));
        set.add(bytes.toString("latin1"));
        if (bytes.length >= 2) {
          let starts = this.#starts.get(bytes.length);
          if (!starts) this.#starts.set(bytes.length, (starts = new Uint8Array(65536)));
          starts[((bytes[0] as number) << 8) | (bytes[1] as number)] = 1;
        }
        longest = Math.max(longest, bytes.length);
      }
    }
    this.context = Math.max(0, longest - 1);
  }

  get empty(): boolean {
    return this.values.length === 0;
  }

  /** Call `found(start, end)` for every pattern in `buf` that ends after byte `from`. */
  search(buf: Buffer, from: number, found: (start: number, end: number) => void): void {
    for (const [length, set] of this.#byLength) {
      const starts = this.#starts.get(length);
      for (let end = Math.max(from + 1, length); end <= buf.length; end++) {
        const start = end - length;
        if (starts && starts[((buf[start] as number) << 8) | (buf[start + 1] as number)] !== 1)
          continue;
        if (set.has(buf.toString("latin1", start, end))) found(start, end);
      }
    }
  }

  /** Length of the longest tail of `buf` (from `from` on) that a whole value starts with. */
  heldTail(buf: Buffer, from = 0): number {
    const longest = this.values[0]?.length ?? 0;
    for (let start = Math.max(from, buf.length - longest + 1); start < buf.length; start++) {
      if (this.#firstBytes[buf[start] as number] !== 1) continue;
      const tail = buf.subarray(start);
      for (const v of this.values) {
        if (v.length > tail.length && v.subarray(0, tail.length).equals(tail))
          return buf.length - start;
      }
    }
    return 0;
  }
}
