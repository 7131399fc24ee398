import { vaultlinkError } from "../errors/index.js";
import type { Clock } from "../plugin/contract.js";
import { nameMap, type VaultDocument } from "../vault/model.js";
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
  /**
   * Memory-only sign-ins (`settings.signIns: "memory"`): credentials by integration id, kept
   * here and never written to the file. Reads see them overlaid on the file's records.
   */
  #memoryCredentials = new Map<string, Record<string, unknown>>();
  /** The last document this process read or wrote (kept across `invalidate`). */
  #lastSeen: VaultDocument | undefined;
  /**
   * Called, and awaited, when a read finds that another process disconnected or reconnected an
   * integration since this one last looked: values cached in memory under the old connection
   * must not be served (the vault drops its in-memory cache).
   */
  onConnectionsChanged: (() => Promise<void>) | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly freshnessMs: number,
  ) {}

  attach(session: VaultSession | undefined): void {
    if (session !== this.#session) this.#memoryCredentials.clear();
    this.#session = session;
    this.#snapshot = undefined;
    this.#lastSeen = undefined;
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

  /** Whether memory-only sign-ins are on and this process holds the credentials of `id`. */
  holdsInMemory(id: string): boolean {
    return this.#memoryCredentials.has(id);
  }

  async read(): Promise<VaultDocument> {
    const cached = this.current();
    if (cached) return cached;
    const doc = this.#withMemory(await this.session().read());
    const before = this.#lastSeen;
    this.#snapshot = doc;
    this.#lastSeen = doc;
    this.#checkedAt = this.clock.now();
    if (before !== undefined && before !== doc && connectionsChanged(before, doc))
      await this.onConnectionsChanged?.();
    return doc;
  }

  async update<T>(change: (doc: VaultDocument) => T | Promise<T>): Promise<T> {
    // The document handed to `change` belongs to the store for the duration of the update
    // (it may be a copy-on-write view); keep nothing of it. The store serves the freshly
    // written state from memory on the next read.
    const memory = this.#memoryCredentials;
    const result = await this.session().update(async (doc) => {
      const wasMemory = doc.settings.signIns === "memory";
      if (wasMemory) {
        for (const [id, credentials] of memory) {
          const r = Object.hasOwn(doc.integrations, id) ? doc.integrations[id] : undefined;
          if (r && r.credentials === undefined) r.credentials = credentials;
        }
      }
      const out = await change(doc);
      if (doc.settings.signIns === "memory") {
        // Credentials leave the document before it is written: the file never holds them.
        memory.clear();
        for (const r of Object.values(doc.integrations)) {
          if (r.credentials !== undefined) memory.set(r.id, r.credentials);
          delete r.credentials;
        }
      } else if (wasMemory) memory.clear();
      return out;
    });
    this.#snapshot = this.#withMemory(await this.session().read());
    this.#lastSeen = this.#snapshot;
    this.#checkedAt = this.clock.now();
    return result;
  }

  /** The document with this process's memory-only credentials on their records (a copy). */
  #withMemory(doc: VaultDocument): VaultDocument {
    if (doc.settings.signIns !== "memory" || this.#memoryCredentials.size === 0) return doc;
    const integrations = nameMap(doc.integrations);
    for (const [id, credentials] of this.#memoryCredentials) {
      const r = integrations[id];
      if (r && r.credentials === undefined) integrations[id] = { ...r, credentials };
    }
    return { ...doc, integrations };
  }
}

/** Was an integration of `before` removed, disconnected or connected anew in `after`? */
function connectionsChanged(before: VaultDocument, after: VaultDocument): boolean {
  for (const [id, was] of Object.entries(before.integrations)) {
    const now = Object.hasOwn(after.integrations, id) ? after.integrations[id] : undefined;
    if (now === undefined || now.connectedAt !== was.connectedAt) return true;
    if (was.status === "connected" && now.status === "disconnected") return true;
  }
  return false;
}
