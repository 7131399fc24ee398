import { vaultlinkError } from "../errors/index.js";
import type { Clock } from "../plugin/contract.js";
import type { VaultDocument } from "../vault/model.js";
import type { VaultSession } from "../vault/types.js";

/**
 * The unlocked vault as the engine sees it: the session, plus a snapshot of the document that
 * is re-validated against the file at most every `freshnessMs`. Reads on the hot path (resolving
 * a cached value) therefore cost no I/O; writes always go through the locked update.
 */
export class DocumentAccess {
  #session: VaultSession | undefined;
  #snapshot: VaultDocument | undefined;
  #checkedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly clock: Clock,
    private readonly freshnessMs: number,
  ) {}

  attach(session: VaultSession | undefined): void {
    this.#session = session;
    this.#snapshot = undefined;
    this.#checkedAt = Number.NEGATIVE_INFINITY;
  }

  get unlocked(): boolean {
    return this.#session !== undefined;
  }

  session(): VaultSession {
    if (!this.#session) {
      throw vaultlinkError("VAULT_LOCKED", "The vault is locked.", {
        hint: "Unlock it first: set VAULTLINK_VAULT_KEY, or run vaultlink vault key store.",
      });
    }
    return this.#session;
  }

  /** Forget the snapshot, so the next read goes to the session (after a write it did not see). */
  invalidate(): void {
    this.#snapshot = undefined;
    this.#checkedAt = Number.NEGATIVE_INFINITY;
  }

  /** The latest snapshot without I/O when it was checked recently. */
  current(now: number = this.clock.now()): VaultDocument | undefined {
    if (this.#snapshot && now - this.#checkedAt < this.freshnessMs) return this.#snapshot;
    return undefined;
  }

  /** The last document read or written, however old; no I/O (for the redactor). */
  lastKnown(): VaultDocument | undefined {
    return this.#snapshot;
  }

  async read(): Promise<VaultDocument> {
    const cached = this.current();
    if (cached) return cached;
    const doc = await this.session().read();
    this.#snapshot = doc;
    this.#checkedAt = this.clock.now();
    return doc;
  }

  async update<T>(change: (doc: VaultDocument) => T | Promise<T>): Promise<T> {
    // The document handed to `change` belongs to the store for the duration of the update
    // (it may be a copy-on-write view); keep nothing of it. The store serves the freshly
    // written state from memory on the next read.
    const result = await this.session().update(change);
    this.#snapshot = await this.session().read();
    this.#checkedAt = this.clock.now();
    return result;
  }
}
