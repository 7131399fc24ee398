import { isAbsolute, join, resolve } from "node:path";
import envPaths from "env-paths";
import type { VaultPaths } from "./types.js";

export const VAULT_FILE_NAME = "vault.vlt";
export const BACKUP_FILE_NAME = "vault.vlt.bak";
export const CACHE_FILE_NAME = "cache.vlc";
export const LOCK_DIR_NAME = "vault.lock";
export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;

export interface ResolveVaultPathsOptions {
  /** The vault directory. Wins over `VAULTLINK_HOME`. */
  home?: string;
  /** Environment to read `VAULTLINK_HOME` from; defaults to `process.env`. */
  env?: Record<string, string | undefined>;
}

/**
 * Where the vault lives: `home`, else `VAULTLINK_HOME`, else the per-user data directory
 * (`env-paths("vaultlink", { suffix: "" }).data`, e.g. ~/.local/share/vaultlink on Linux).
 */
export function resolveVaultPaths(options: ResolveVaultPathsOptions = {}): VaultPaths {
  const env = options.env ?? process.env;
  const fromEnv = env.VAULTLINK_HOME?.trim();
  const chosen = options.home ?? (fromEnv ? fromEnv : envPaths("vaultlink", { suffix: "" }).data);
  const dir = isAbsolute(chosen) ? chosen : resolve(chosen);
  return {
    dir,
    vaultFile: join(dir, VAULT_FILE_NAME),
    backupFile: join(dir, BACKUP_FILE_NAME),
    cacheFile: join(dir, CACHE_FILE_NAME),
  };
}

/** The lock directory proper-lockfile creates while a writer holds the vault. */
export function lockPath(paths: VaultPaths): string {
  return join(paths.dir, LOCK_DIR_NAME);
}
