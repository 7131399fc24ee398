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
}
