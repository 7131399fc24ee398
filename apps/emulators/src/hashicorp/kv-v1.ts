import { childrenOf } from "./listing.js";

export type SecretData = Record<string, unknown>;

/** KV version 1: one unversioned map per path. */
export class KvV1Store {
  readonly version = 1;
  #entries = new Map<string, SecretData>();

  get(key: string): SecretData | undefined {
    return this.#entries.get(key);
  }

  put(key: string, data: SecretData): void {
    this.#entries.set(key, structuredClone(data));
  }

  has(key: string): boolean {
    return this.#entries.has(key);
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  list(folder: string): string[] {
    return childrenOf(this.#entries.keys(), folder);
  }
}
