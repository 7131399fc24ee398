import { openBytes, sealBytes } from "../vault/crypto.js";
import type { CacheEntry } from "./types.js";

const AAD = Buffer.from("vaultlink-cache-v1");

/**
 * The cache file's contents: the entries as JSON, sealed with AES-256-GCM under a key derived
 * from the vault's data key. No file I/O here, so one-shot readers can use it too.
 */
export function encodeCacheFile(key: Uint8Array, entries: readonly CacheEntry[]): Uint8Array {
  return sealBytes(key, Buffer.from(JSON.stringify({ v: 1, entries }), "utf8"), AAD);
}

/** The entries of a sealed cache file; a damaged or foreign one reads as empty (costs a refetch). */
export function decodeCacheFile(key: Uint8Array, sealed: Uint8Array): CacheEntry[] {
  try {
    const parsed = JSON.parse(Buffer.from(openBytes(key, sealed, AAD)).toString("utf8")) as {
      v: 1;
      entries: CacheEntry[];
    };
    return Array.isArray(parsed.entries) ? parsed.entries : [];
  } catch {
    return [];
  }
}

/** Whether an entry may still be served at `now` (ms). */
export function isFresh(entry: CacheEntry, now: number): boolean {
  return entry.expiresAt > now;
}
