import type { FaultRule } from "./faults.js";

/**
 * Drive an emulator's control API over HTTP, for processes that did not start it (the CLI's
 * end-to-end tests, the demo). In-process tests use the RunningEmulator methods instead.
 */
export class EmulatorControlClient {
  constructor(
    readonly baseUrl: string,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  async #call(method: string, action: string, body?: unknown): Promise<unknown> {
    const res = await this.fetchImpl(`${this.baseUrl}/__emulator/${action}`, {
      method,
      headers: { "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`emulator control ${action} failed with ${res.status}`);
    return res.json();
  }

  inject(rule: FaultRule) {
    return this.#call("POST", "faults", rule);
  }
  clearFaults() {
    return this.#call("DELETE", "faults");
  }
  expireCredentials() {
    return this.#call("POST", "expire-credentials", {});
  }
  async requests(): Promise<{ total: number; byOperation: Record<string, number> }> {
    return (await this.#call("GET", "requests")) as {
      total: number;
      byOperation: Record<string, number>;
    };
  }
  resetRequests() {
    return this.#call("DELETE", "requests");
  }
  reset() {
    return this.#call("POST", "reset", {});
  }
  action(name: string, body: unknown = {}) {
    return this.#call("POST", name, body);
  }
}
