/**
 * Fault injection shared by every emulator: latency and errors, for every request or the next
 * N requests, optionally only for one operation or path prefix.
 */
export interface FaultRule {
  /** Only requests of this operation (as the emulator names it: "GetSecretValue", "kv.read"…). */
  operation?: string;
  /** Only requests whose path starts with this. */
  pathPrefix?: string;
  /** Apply to the next N matching requests, then drop the rule. Default: until cleared. */
  times?: number;
  /** Delay before answering, in milliseconds. */
  latencyMs?: number;
  /**
   * Hold matching requests until this settles (in-process only). For tests that must order the
   * emulator's answer after an event outside it, e.g. a browser stand-in finishing its redirects
   * before the client redeems the code, as happens when the token request crosses a real network.
   */
  until?: Promise<unknown>;
  /**
   * Answer with this error instead of the real response. A string names one of the emulator's
   * documented faults (e.g. "ExpiredTokenException", "throttled", "sealed"); an object is sent as is.
   */
  error?: string | RawFault;
}

export interface RawFault {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /**
   * Echo the request, as careless services do in their errors: every `{{request}}` in the
   * body's strings becomes the request's method, path, headers (credentials included) and body.
   */
  echoRequest?: boolean;
}

/** The placeholder `echoRequest` fills in. */
export const REQUEST_PLACEHOLDER = "{{request}}";

interface ActiveRule extends FaultRule {
  id: number;
  remaining: number;
}

export class FaultController {
  #rules: ActiveRule[] = [];
  #nextId = 1;

  add(rule: FaultRule): number {
    const id = this.#nextId++;
    this.#rules.push({ ...rule, id, remaining: rule.times ?? Number.POSITIVE_INFINITY });
    return id;
  }

  clear(): void {
    this.#rules = [];
  }

  /** Rules that apply to this request; consumes one use of each. */
  take(
    operation: string,
    path: string,
  ): { latencyMs: number; error?: string | RawFault; until?: Promise<unknown> } {
    let latencyMs = 0;
    let error: string | RawFault | undefined;
    const waits: Promise<unknown>[] = [];
    for (const rule of this.#rules) {
      if (rule.operation && rule.operation !== operation) continue;
      if (rule.pathPrefix && !path.startsWith(rule.pathPrefix)) continue;
      rule.remaining -= 1;
      latencyMs += rule.latencyMs ?? 0;
      if (rule.until) waits.push(rule.until);
      if (rule.error !== undefined && error === undefined) error = rule.error;
    }
    this.#rules = this.#rules.filter((r) => r.remaining > 0);
    const until = waits.length > 0 ? Promise.allSettled(waits) : undefined;
    return { latencyMs, ...(error === undefined ? {} : { error }), ...(until ? { until } : {}) };
  }
}

/**
 * Counts requests by operation, and how many were in flight at once (arrived but not yet
 * answered), so tests can prove a client's concurrency cap without measuring time.
 */
export class RequestCounter {
  #counts = new Map<string, number>();
  #inFlight = new Map<string, number>();
  #peaks = new Map<string, number>();
  #inFlightTotal = 0;
  #peakTotal = 0;

  record(operation: string): void {
    this.#counts.set(operation, (this.#counts.get(operation) ?? 0) + 1);
  }

  /** Record a request that is now being handled; call the returned function once answered. */
  begin(operation: string): () => void {
    this.record(operation);
    const now = (this.#inFlight.get(operation) ?? 0) + 1;
    this.#inFlight.set(operation, now);
    this.#peaks.set(operation, Math.max(this.#peaks.get(operation) ?? 0, now));
    this.#inFlightTotal += 1;
    this.#peakTotal = Math.max(this.#peakTotal, this.#inFlightTotal);
    let finished = false;
    return () => {
      if (finished) return;
      finished = true;
      this.#inFlight.set(operation, (this.#inFlight.get(operation) ?? 1) - 1);
      this.#inFlightTotal -= 1;
    };
  }

  count(operation?: string): number {
    if (operation !== undefined) return this.#counts.get(operation) ?? 0;
    let total = 0;
    for (const n of this.#counts.values()) total += n;
    return total;
  }

  /** The most requests (of this operation, or of any) handled at the same time since the last reset. */
  peakConcurrency(operation?: string): number {
    return operation === undefined ? this.#peakTotal : (this.#peaks.get(operation) ?? 0);
  }

  snapshot(): { total: number; byOperation: Record<string, number> } {
    return { total: this.count(), byOperation: Object.fromEntries(this.#counts) };
  }

  /** Forget counts and peaks; requests still in flight keep counting towards new peaks. */
  reset(): void {
    this.#counts.clear();
    this.#peaks = new Map([...this.#inFlight].filter(([, n]) => n > 0));
    this.#peakTotal = this.#inFlightTotal;
  }
}
