import { readFile, rm } from "node:fs/promises";
import { decodeCacheFile, encodeCacheFile } from "./cache-file.js";
import type { CacheEntry, CachePersistence } from "./types.js";

/**
 * Cache entries in their own encrypted file (see `encodeCacheFile`), written atomically with
 * mode 0600. A missing, damaged or foreign cache file is treated as empty: the cache only ever
 * costs a refetch, never the vault.
 */
export function fileCachePersistence(file: string, key: Uint8Array): CachePersistence {
  return {
    async load() {
      let sealed: Buffer;
      try {
        sealed = await readFile(file);
      } catch {
        return [];
      }
      return decodeCacheFile(key, sealed);
    },
    async save(entries: readonly CacheEntry[]) {
      await (await import("write-file-atomic")).default(
        file,
        Buffer.from(encodeCacheFile(key, entries)),
        { mode: 0o600, fsync: true },
      );
    },
    async clear() {
      await rm(file, { force: true });
    },
  };
}
