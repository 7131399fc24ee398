import { MIN_MASKED_RUN, Patterns, type SecretForm, secretForms } from "./patterns.js";

/**
 * Streaming secret masking for the output of a process: one masker, any number of streams
 * (stdout and stderr) written to the same place (a terminal). The guarantee: no run of
 * MIN_MASKED_RUN (8) or more consecutive characters of a secret reaches any stream's output,
 * nor the streams' combined output in the order it is written, however the bytes are chunked
 * and split between streams, and wherever the output stops. A secret shorter than that is
 * masked where it appears whole in one stream.
 *
 * How:
 * - each stream is searched, as it arrives, for every 8-character run of every secret (and
 *   every whole shorter secret), with the stream's previous bytes as context, so a run split
 *   across chunks is found when its last byte arrives, before that byte is written;
 * - the bytes about to be written are searched again together with the bytes last written
 *   by any stream, so a run cannot be put together from pieces of two streams;
 * - a stream's tail that is the beginning of a secret is held until more of that stream (or
 *   its end) shows what it is, so a whole secret is masked whole, without its first
 *   characters; at the end of a stream such a held beginning is masked (unless
 *   `maskTrailingPrefix` is false);
 * - masked bytes become one mask per contiguous masked stretch.
 */
export interface MaskingOptions {
  /** What a masked stretch becomes (never empty). Default "********". */
  mask?: string;
  /** Encoded forms masked as well as each value. Default none. */
  forms?: readonly SecretForm[];
  /** At a stream's end, mask a held tail that begins a secret. Default true. */
  maskTrailingPrefix?: boolean;
}

export const DEFAULT_MASK = "********";

export interface MaskedStream {
  /** Bytes (or UTF-8 text) the source wrote. */
  push(chunk: Buffer | string): void;
  /** The source ended: write out what is held (masked where it must be). */
  end(): void;
}

interface StreamState {
  write: (chunk: Buffer) => void;
  /** Bytes received but not written yet, and which of them are masked. */
  pending: Buffer;
  masked: Uint8Array;
  /** The last bytes this stream received (context for the next search). */
  tail: Buffer;
  ended: boolean;
}

export class OutputMasker {
  #patterns: Patterns;
  /** Every value masked (with its forms), for rebuilding the patterns when values are added. */
  readonly #values: string[];
  readonly #forms: readonly SecretForm[];
  readonly #mask: Buffer;
  readonly #maskTrailingPrefix: boolean;
  /** The last bytes written by any stream, in the order written. */
  #written: Buffer = Buffer.alloc(0);
  readonly #streams: StreamState[] = [];
  /**
   * The stream whose mask was the last thing written, if any: its masked stretch continues
   * without a new mask. Once anything else is written, a masked byte starts a new mask, so
   * two pieces of output never touch in the combined output where masked bytes were.
   */
  #openMask: StreamState | undefined;
  /** Who wrote last, and how many bytes it has written since another stream wrote. */
  #lastWriter: StreamState | undefined;
  #run = 0;

  constructor(secrets: readonly string[], options: MaskingOptions = {}) {
    this.#forms = options.forms ?? [];
    this.#values = secrets.flatMap((s) => secretForms(s, this.#forms));
    this.#patterns = new Patterns(this.#values, MIN_MASKED_RUN);
    this.#mask = Buffer.from(options.mask || DEFAULT_MASK, "utf8");
    this.#maskTrailingPrefix = options.maskTrailingPrefix ?? true;
  }

  /** A stream of this output, written with `write`. */
  stream(write: (chunk: Buffer) => void): MaskedStream {
    const state: StreamState = {
      write,
      pending: Buffer.alloc(0),
      masked: new Uint8Array(0),
      tail: Buffer.alloc(0),
      ended: false,
    };
    this.#streams.push(state);
    return {
      push: (chunk) => this.#push(state, chunk),
      end: () => this.#end(state),
    };
  }

  /**
   * Mask these values too, from the next byte pushed on (a secret that became known while the
   * output goes on, e.g. one a script wrote). Bytes pushed before are not searched again for
   * them.
   */
  add(secrets: readonly string[]): void {
    const values = secrets
      .flatMap((s) => secretForms(s, this.#forms))
      .filter((v) => v !== "" && !this.#values.includes(v));
    if (values.length === 0) return;
    this.#values.push(...values);
    this.#patterns = new Patterns(this.#values, MIN_MASKED_RUN);
  }

  #push(s: StreamState, chunk: Buffer | string): void {
    if (s.ended) throw new Error("push after end");
    const data = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
    if (data.length === 0) return;
    if (this.#patterns.empty) {
      this.#emit(s, data, new Uint8Array(data.length));
      return;
    }
    const oldPending = s.pending.length;
    const masked = new Uint8Array(oldPending + data.length);
    masked.set(s.masked);
    s.masked = masked;
    s.pending = oldPending > 0 ? Buffer.concat([s.pending, data]) : data;
    // Search this stream: its last bytes as context, then the new data. Positions before the
    // new data that are no longer pending were written already and stay as they were.
    this.#patterns.searchAfter(s.tail, data, (start, end) => {
      for (let i = Math.max(start + oldPending, 0); i < end + oldPending; i++) masked[i] = 1;
    });
    s.tail = lastBytes(s.tail, data, this.#patterns.context);
    const hold = this.#patterns.heldTail(s.pending);
    this.#release(s, s.pending.length - hold);
  }

  #end(s: StreamState): void {
    if (s.ended) return;
    if (this.#maskTrailingPrefix) {
      const hold = this.#patterns.heldTail(s.pending);
      s.masked.fill(1, s.pending.length - hold);
    }
    this.#release(s, s.pending.length);
    s.ended = true;
  }

  /** Write the first `count` pending bytes of `s`. */
  #release(s: StreamState, count: number): void {
    if (count <= 0) return;
    const bytes = s.pending.subarray(0, count);
    const masked = s.masked.subarray(0, count);
    s.pending = Buffer.from(s.pending.subarray(count));
    s.masked = s.masked.slice(count);
    this.#emit(s, bytes, masked);
  }

  #emit(s: StreamState, bytes: Buffer, masked: Uint8Array): void {
    if (!this.#patterns.empty) {
      const ctx = this.#patterns.context;
      // Search what is about to be written together with what any stream wrote last. When
      // that is this stream's own previous bytes, its own search (on arrival) already did it.
      const before = this.#written;
      const sameStream = this.#lastWriter === s && this.#run >= ctx;
      if (!sameStream) {
        this.#patterns.searchAfter(before, bytes, (start, end) => {
          for (let i = Math.max(start, 0); i < end; i++) masked[i] = 1;
        });
      }
      this.#run = this.#lastWriter === s ? this.#run + bytes.length : bytes.length;
      this.#lastWriter = s;
      this.#written = lastBytes(before, bytes, ctx);
    }
    const parts: Buffer[] = [];
    let i = 0;
    while (i < bytes.length) {
      let j = i;
      const isMasked = masked[i] === 1;
      while (j < bytes.length && (masked[j] === 1) === isMasked) j++;
      if (!isMasked) {
        parts.push(bytes.subarray(i, j));
        this.#openMask = undefined;
      } else {
        if (this.#openMask !== s) parts.push(this.#mask);
        this.#openMask = s;
      }
      i = j;
    }
    if (parts.length > 0) s.write(Buffer.concat(parts));
  }
}

/** The last `count` bytes of `before + data`, copied. */
function lastBytes(before: Buffer, data: Buffer, count: number): Buffer {
  if (count === 0) return Buffer.alloc(0);
  if (data.length >= count) return Buffer.from(data.subarray(data.length - count));
  return Buffer.concat([before.subarray(Math.max(0, before.length - (count - data.length))), data]);
}

/** `text` with every secret masked as OutputMasker does (one stream that ends here). */
export function maskText(
  text: string,
  secrets: readonly string[],
  options: MaskingOptions = {},
): string {
  const out: Buffer[] = [];
  const masker = new OutputMasker(secrets, { maskTrailingPrefix: false, ...options });
  const stream = masker.stream((b) => out.push(b));
  stream.push(text);
  stream.end();
  return Buffer.concat(out).toString("utf8");
}
