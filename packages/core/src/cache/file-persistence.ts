import { readFile, rm } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { removeLeftovers, writeFileDurably } from "../vault/durable-file.js";
import { decodeCacheFile, encodeCacheFile } from "./cache-file.js";
import type { CacheEntry, CachePersistence } from "./types.js";

/**
 * Cache entries in their own encrypted file (see `encodeCacheFile`), written atomically with
 * mode 0600. A missing, damaged or foreign cache file is treated as empty: the cache only ever
 * costs a refetch, never the vault.
 *
 * `clear` removes the file and every temp file of it, those of processes still writing
 * included: a write that was under way (or paused) when the cache was reset then fails to
 * land instead of bringing the cleared values back.
 */
export function fileCachePersistence(file: string, key: Uint8Array): CachePersistence {
  const dir = dirname(file);
  const base = basename(file);
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
      // Temp files of writers killed mid-save (never a live writer's).
      await removeLeftovers(dir, { bases: [base] });
      try {
        await writeFileDurably(file, encodeCacheFile(key, entries));
      } catch (error) {
        // The temp file went away before the rename: a reset removed it. Dropping this save
        // is what the reset asked for.
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
        throw error;
      }
    },
    async clear() {
      await rm(file, { force: true });
      await removeLeftovers(dir, { bases: [base], all: true });
    },
  };
}
