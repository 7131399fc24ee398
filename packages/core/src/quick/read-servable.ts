import { readFileSync, statSync } from "node:fs";
import { decodeCacheFile, isFresh } from "../cache/cache-file.js";
import type { CacheEntry } from "../cache/types.js";
import { servableNow } from "../engine/serve-now.js";
import { deriveKey } from "../vault/crypto.js";
import { openVaultQuietly, type QuickVaultOptions } from "./open-vault.js";

export interface ReadServableOptions extends QuickVaultOptions {
  /** The request URL the value is for (allowed domains), as for `Vault#resolve`. */
  url?: string;
  /** The time to judge freshness at (ms since epoch); default now. */
  now?: number;
}

export interface ServedValue {
  name: string;
  value: string;
  source: "local" | "cache";
}

/**
 * One secret's value for a process that lives for one answer (a CLI `read`), when the vault
 * and cache files alone can give it: the same rules as `Vault#resolve`'s hot path, without
 * the engine (no DI container, events, lock, provider or write). It loads a fraction of core.
 *
 * Undefined means "open the vault the full way": no key without asking, a missing, damaged or
 * foreign file, a wrong key, an unknown, disabled or domain-restricted name, an expired sign-in,
 * a value not cached or stale. The full path then resolves it or reports why, so this function
 * never has to explain anything and never throws for such cases.
 */
export async function readServable(
  name: string,
  options: ReadServableOptions = {},
): Promise<ServedValue | undefined> {
  try {
    // A directory others could write is refused by the full path (VAULT_HOME_UNSAFE).
    const opened = await openVaultQuietly(options, (paths) => safeDirSync(paths.dir));
    if (opened === undefined) return undefined;
    const { paths, document, dataKey } = opened;
    const now = options.now ?? Date.now();
    let cached: Map<string, CacheEntry> | undefined;
    const freshEntry = (key: string, at: number): CacheEntry | undefined => {
      cached ??= new Map(
        readCacheEntries(paths.cacheFile, deriveKey(dataKey, "cache")).map((e) => [e.key, e]),
      );
      const entry = cached.get(key);
      return entry !== undefined && isFresh(entry, at) ? entry : undefined;
    };
    const found = servableNow(document, name, options.url, now, freshEntry);
    if (found === undefined) return undefined;
    return found.entry === undefined
      ? { name, value: found.secret.value as string, source: "local" }
      : { name, value: found.entry.value, source: "cache" };
  } catch {
    return undefined;
  }
}

function readCacheEntries(file: string, key: Uint8Array): CacheEntry[] {
  let sealed: Buffer;
  try {
    sealed = readFileSync(file);
  } catch {
    return [];
  }
  return decodeCacheFile(key, sealed);
}

/** The synchronous twin of `checkVaultDir`: ours and writable by nobody else. */
function safeDirSync(dir: string): boolean {
  if (process.platform === "win32") return true;
  const info = statSync(dir);
  const uid = process.getuid?.();
  return info.isDirectory() && (uid === undefined || info.uid === uid) && (info.mode & 0o022) === 0;
}
