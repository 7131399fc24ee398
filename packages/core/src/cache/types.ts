/** One cached value. The value is what the resolver hands out (JSON key already applied). */
export interface CacheEntry {
  key: string;
  integration: string;
  reference: string;
  version?: string;
  jsonKey?: string;
  value: string;
  fetchedAt: number;
  expiresAt: number;
  /** When this value was first served past its cache time (stale-if-error), if it was. */
  staleServedAt?: number;
}

/** Where cache entries persist. The file implementation encrypts them. */
export interface CachePersistence {
  load(): Promise<CacheEntry[]>;
  save(entries: readonly CacheEntry[]): Promise<void>;
  clear(): Promise<void>;
}

/** What `cache status` shows: never values. */
export interface CacheEntryInfo {
  integration: string;
  reference: string;
  version?: string;
  jsonKey?: string;
  /** Secret names linked to this entry. */
  names: string[];
  ageMs: number;
  expiresInMs: number;
  expired: boolean;
  /**
   * Expired, but still inside the stale-if-error window: served if the provider has an outage
   * for this many more milliseconds. Absent when not expired or the window is off or over.
   */
  staleIfErrorForMs?: number;
  /** When this value was first served stale (ISO time), if it was. */
  servedStaleAt?: string;
}
