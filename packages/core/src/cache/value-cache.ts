import { vaultlinkError } from "../errors/index.js";
import type { Clock } from "../plugin/contract.js";
import { isFresh } from "./cache-file.js";
import type { CacheEntry, CachePersistence } from "./types.js";

export type CacheLookup =
  | { state: "hit"; entry: CacheEntry }
  | { state: "expired"; entry: CacheEntry }
  | { state: "miss" };

/**
 * Fetched values, kept in memory and persisted (encrypted) after each change. Loaded once per
 * unlocked session; a lookup is a Map read. One instance lives as long as its vault: `bind`
 * attaches it to the persistence of a newly unlocked session, `unbind` forgets everything.
 */
export class ValueCache {
  #entries: Map<string, CacheEntry> | undefined;
  #loading: Promise<Map<string, CacheEntry>> | undefined;
  #saving: Promise<void> = Promise.resolve();
  #pending: Promise<void> | undefined;
  #persistence: CachePersistence | undefined;

  constructor(
    private readonly clock: Clock,
    persistence?: CachePersistence,
  ) {
    this.#persistence = persistence;
  }

  bind(persistence: CachePersistence): void {
    this.#persistence = persistence;
    this.#entries = undefined;
    this.#loading = undefined;
  }

  unbind(): void {
    this.#persistence = undefined;
    this.#entries = undefined;
    this.#loading = undefined;
  }

  /** Drop the entries in memory (after pending saves), so the next lookup loads them again. */
  async reload(): Promise<void> {
    await this.#saving;
    if (this.#pending) await this.#pending.catch(() => undefined);
    this.#entries = undefined;
    this.#loading = undefined;
  }

  get persistence(): CachePersistence {
    if (!this.#persistence) {
      throw vaultlinkError("VAULT_LOCKED", "The vault is locked.", { hint: "Unlock it first." });
    }
    return this.#persistence;
  }

  async #map(): Promise<Map<string, CacheEntry>> {
    if (this.#entries) return this.#entries;
    this.#loading ??= this.persistence.load().then((list) => {
      const map = new Map(list.map((e) => [e.key, Object.freeze(e)]));
      this.#entries = map;
      return map;
    });
    return this.#loading;
  }

  /** Load the entries (once), so `fresh` answers from them. */
  async load(): Promise<void> {
    await this.#map();
  }

  /** Synchronous lookup once loaded; undefined means "load first". */
  peek(key: string): CacheLookup | undefined {
    if (!this.#entries) return undefined;
    return this.#classify(this.#entries.get(key));
  }

  /** The entry when loaded and still fresh at `now`; the allocation-free hot path. */
  fresh(key: string, now: number): CacheEntry | undefined {
    const entry = this.#entries?.get(key);
    return entry !== undefined && isFresh(entry, now) ? entry : undefined;
  }

  async lookup(key: string): Promise<CacheLookup> {
    return this.#classify((await this.#map()).get(key));
  }

  #classify(entry: CacheEntry | undefined): CacheLookup {
    if (!entry) return { state: "miss" };
    return isFresh(entry, this.clock.now()) ? { state: "hit", entry } : { state: "expired", entry };
  }

  async put(entries: readonly CacheEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const map = await this.#map();
    for (const e of entries) map.set(e.key, Object.freeze({ ...e }));
    await this.#persist();
  }

  /** Remove entries matching `predicate`; returns how many went. */
  async remove(predicate: (e: CacheEntry) => boolean): Promise<number> {
    const map = await this.#map();
    let removed = 0;
    for (const [k, e] of map) {
      if (predicate(e)) {
        map.delete(k);
        removed++;
      }
    }
    if (removed > 0) await this.#persist();
    return removed;
  }

  /**
   * Apply a lower cache time to what is already cached: no entry outlives `fetchedAt +
   * maxAgeMs`, and entries already past that at `now` are dropped. Returns how many changed.
   */
  async cap(maxAgeMs: number, now: number): Promise<number> {
    const map = await this.#map();
    let changed = 0;
    for (const [k, e] of map) {
      const latest = e.fetchedAt + maxAgeMs;
      if (e.expiresAt <= latest) continue;
      if (latest <= now) map.delete(k);
      else map.set(k, Object.freeze({ ...e, expiresAt: latest }));
      changed++;
    }
    if (changed > 0) await this.#persist();
    return changed;
  }

  async reset(): Promise<number> {
    const map = await this.#map();
    const n = map.size;
    map.clear();
    const cleared = this.#saving.then(() => this.persistence.clear());
    this.#saving = cleared.catch(() => undefined);
    await cleared;
    return n;
  }

  /** Values of the entries in memory, without loading (for the redactor). */
  loadedValues(): string[] {
    return this.#entries ? [...this.#entries.values()].map((e) => e.value) : [];
  }

  async entries(): Promise<CacheEntry[]> {
    return [...(await this.#map()).values()];
  }

  /**
   * Serialise saves so the file always ends with the latest in-memory state, and coalesce the
   * changes of one burst (a batch of 100 fetched values) into one write.
   */
  #persist(): Promise<void> {
    if (this.#pending) return this.#pending;
    const pending = this.#saving.then(async () => {
      this.#pending = undefined;
      await this.persistence.save([...(this.#entries?.values() ?? [])]);
    });
    this.#pending = pending;
    this.#saving = pending.catch(() => undefined);
    return pending;
  }
}

/** Keeps nothing on disk: for tests and embedders that want a memory-only cache. */
export function memoryCachePersistence(): CachePersistence & { saved: number } {
  let stored: CacheEntry[] = [];
  const p = {
    saved: 0,
    async load() {
      return stored.map((e) => ({ ...e }));
    },
    async save(entries: readonly CacheEntry[]) {
      p.saved++;
      stored = entries.map((e) => ({ ...e }));
    },
    async clear() {
      stored = [];
    },
  };
  return p;
}
