import type { FetchRequest, FetchResult } from "../plugin/contract.js";

/**
 * Collects fetch requests for one integration that arrive in the same turn of the event loop
 * and hands them to the provider as one call, so a provider with a batch API (AWS: 20 per
 * call; 1Password: resolveAll) sees them together. Identical requests share one slot.
 */
export class BatchQueue {
  #pending = new Map<string, { request: FetchRequest; waiters: Array<(r: FetchResult) => void> }>();
  #scheduled = false;

  constructor(private readonly flush: (requests: FetchRequest[]) => Promise<FetchResult[]>) {}

  enqueue(request: Omit<FetchRequest, "id">): Promise<FetchResult> {
    const id = JSON.stringify([request.reference.canonical, request.version ?? null]);
    return new Promise((resolve) => {
      const slot = this.#pending.get(id);
      if (slot) slot.waiters.push(resolve);
      else this.#pending.set(id, { request: { ...request, id }, waiters: [resolve] });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => void this.#run());
      }
    });
  }

  async #run(): Promise<void> {
    const batch = this.#pending;
    this.#pending = new Map();
    this.#scheduled = false;
    const requests = [...batch.values()].map((s) => s.request);
    let results: FetchResult[];
    try {
      results = await this.flush(requests);
    } catch (error) {
      const message = error instanceof Error ? error.message : "The provider call failed.";
      results = requests.map((r) => ({ id: r.id, ok: false, code: "PROVIDER_ERROR", message }));
    }
    const byId = new Map(results.map((r) => [r.id, r]));
    for (const [id, slot] of batch) {
      const result: FetchResult = byId.get(id) ?? {
        id,
        ok: false,
        code: "PROVIDER_ERROR",
        message: "The provider returned no result for this reference.",
      };
      for (const w of slot.waiters) w(result);
    }
  }
}
