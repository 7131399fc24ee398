import { readFile, rm } from "node:fs/promises";
import { openBytes, sealBytes } from "../vault/crypto.js";
import type { CacheEntry, CachePersistence } from "./types.js";

const AAD = Buffer.from("vaultlink-cache-v1");

/**
 * Cache entries in their own encrypted file (AES-256-GCM under a key derived from the vault's
 * data key), written atomically with mode 0600. A damaged or foreign cache file is treated as
 * empty: the cache only ever costs a refetch, never the vault.
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
      try {
        const parsed = JSON.parse(Buffer.from(openBytes(key, sealed, AAD)).toString("utf8")) as {
          v: 1;
          entries: CacheEntry[];
        };
        return Array.isArray(parsed.entries) ? parsed.entries : [];
      } catch {
        return [];
      }
    },
    async save(entries) {
      const plain = Buffer.from(JSON.stringify({ v: 1, entries }), "utf8");
      await (await import("write-file-atomic")).default(
        file,
        Buffer.from(sealBytes(key, plain, AAD)),
        {
          mode: 0o600,
          fsync: true,
        },
      );
    },
    async clear() {
      await rm(file, { force: true });
    },
  };
}
