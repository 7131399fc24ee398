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

/** Hash of the 4 bytes at `i` into FILTER_BITS bits: a cheap "could a pattern start here". */
const FILTER_BITS = 16;
function hash4(key: number): number {
  return Math.imul(key, 0x9e3779b1) >>> (32 - FILTER_BITS);
}
function u32(buf: Uint8Array, i: number): number {
  return (
    ((buf[i] as number) |
      ((buf[i + 1] as number) << 8) |
      ((buf[i + 2] as number) << 16) |
      ((buf[i + 3] as number) << 24)) >>>
    0
  );
}

export class Patterns {
  /** Pattern byte length → patterns of that length. */
  readonly #byLength = new Map<number, Set<string>>();
  /** Patterns of 4+ bytes: their first 4 bytes → the lengths of the patterns starting so. */
  readonly #byStart = new Map<number, number[]>();
  /** Which hash4 values some pattern of 4+ bytes starts with. */
  readonly #filter = new Uint8Array(1 << FILTER_BITS);
  /** Lengths of patterns shorter than 4 bytes (whole short values). */
  readonly #shortLengths: number[] = [];
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
        if (!set) {
          set = new Set();
          this.#byLength.set(bytes.length, set);
        }
        set.add(bytes.toString("latin1"));
        if (bytes.length >= 4) {
          const key = u32(bytes, 0);
          this.#filter[hash4(key)] = 1;
          const lengths = this.#byStart.get(key) ?? [];
          if (!lengths.includes(bytes.length)) lengths.push(bytes.length);
          this.#byStart.set(key, lengths);
        } else if (!this.#shortLengths.includes(bytes.length)) {
          this.#shortLengths.push(bytes.length);
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
    const n = buf.length;
    const filter = this.#filter;
    // Patterns of 4+ bytes: one pass over start positions with a rolling 4-byte key, a hash
    // filter, then exact checks.
    let start = Math.max(0, from - this.context);
    if (this.#byStart.size > 0 && start + 4 <= n) {
      let key = u32(buf, start);
      for (;;) {
        if (filter[hash4(key)] === 1) {
          const lengths = this.#byStart.get(key);
          if (lengths)
            for (const length of lengths) {
              const end = start + length;
              if (end <= from || end > n) continue;
              if (this.#byLength.get(length)?.has(buf.toString("latin1", start, end)))
                found(start, end);
            }
        }
        if (start + 4 >= n) break;
        key = ((key >>> 8) | ((buf[start + 4] as number) << 24)) >>> 0;
        start++;
      }
    }
    for (const length of this.#shortLengths) {
      const set = this.#byLength.get(length) as Set<string>;
      for (let end = Math.max(from + 1, length); end <= n; end++) {
        const start = end - length;
        if (this.#firstBytes[buf[start] as number] !== 1) continue;
        if (set.has(buf.toString("latin1", start, end))) found(start, end);
      }
    }
  }
  /**
   * Every pattern in `before + data` that ends inside `data`, as positions relative to `data`
   * (a start may be negative: inside `before`). Copies no more than the seam.
   */
  searchAfter(before: Buffer, data: Buffer, found: (start: number, end: number) => void): void {
    const seam = Math.min(this.context, data.length);
    if (before.length > 0 && seam > 0) {
      const joint = Buffer.concat([before, data.subarray(0, seam)]);
      this.search(joint, before.length, (a, b) => found(a - before.length, b - before.length));
    }
    this.search(data, before.length > 0 ? seam : 0, found);
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
