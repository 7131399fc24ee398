/** Time for token TTLs: a base clock (injectable) plus an offset tests can move forward. */
export class VaultClock {
  #offsetMs = 0;

  constructor(private readonly base: () => number = Date.now) {}

  now(): number {
    return this.base() + this.#offsetMs;
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0)
      throw new Error("advance needs a non-negative number of ms");
    this.#offsetMs += ms;
  }

  reset(): void {
    this.#offsetMs = 0;
  }
}

/** Vault's time format: RFC 3339 in UTC. */
export function vaultTime(ms: number): string {
  return new Date(ms).toISOString();
}
