import type { VaultDocument } from "./model.js";

/** Where a vault lives on disk. */
export interface VaultPaths {
  /** Directory (0700) that holds every file below. */
  dir: string;
  /** The encrypted vault file (0600). */
  vaultFile: string;
  /** The previous good generation of the vault file (0600). */
  backupFile: string;
  /** The encrypted cache of fetched values (0600), separate so a reset never touches the vault. */
  cacheFile: string;
}

/**
 * An open, unlocked vault. The data key is unwrapped once at open; every later read and write
 * reuses it.
 */
export interface VaultSession {
  readonly paths: VaultPaths;
  /** The current document. Re-read from disk only when the file changed since the last read. */
  read(): Promise<VaultDocument>;
  /**
   * Change the document under the inter-process lock: re-read, apply `change` to a copy,
   * write atomically (after keeping the previous generation as the backup). If `change`
   * throws, nothing is written and the error propagates.
   */
  update<T>(change: (doc: VaultDocument) => T | Promise<T>): Promise<T>;
  /** A 32-byte key derived from the data key for the cache file (not the data key itself). */
  readonly cacheKey: Uint8Array;
}

/** Creates, opens and resets vault files in one directory. */
export interface VaultFileStore {
  readonly paths: VaultPaths;
  exists(): Promise<boolean>;
  /** Create a new vault; returns the vault key, which is shown to the user exactly once. */
  create(): Promise<{ vaultKey: string; session: VaultSession }>;
  /** Open with a vault key. Errors: VAULT_NOT_FOUND, VAULT_WRONG_KEY, VAULT_CORRUPT, INVALID_KEY. */
  open(vaultKey: string): Promise<VaultSession>;
  /**
   * Destroy every secret, the backup and the cache, and create a new vault with a new key.
   * The caller asks the user first and passes `{ confirm: true }`; anything else throws
   * CONFIRMATION_REQUIRED and destroys nothing.
   */
  reset(options: { confirm: true }): Promise<{ vaultKey: string; session: VaultSession }>;
  /**
   * Optional: the backup (previous generation) opened with `vaultKey`, changing nothing.
   * Errors: VAULT_NOT_FOUND (no backup), VAULT_WRONG_KEY, VAULT_CORRUPT.
   */
  inspectBackup?(vaultKey: string): Promise<VaultDocument>;
  /**
   * Optional: make the backup the vault again, after checking it opens with `vaultKey`.
   * Needs `{ confirm: true }` (else CONFIRMATION_REQUIRED, nothing changed).
   */
  restore?(
    vaultKey: string,
    options: { confirm: true },
  ): Promise<{ replaced: "kept-as-backup" | "set-aside" | "none"; setAsideAs?: string }>;
}

/** A place the vault key may come from. */
export interface KeySource {
  /** Stable id: "env", "keychain", "prompt", or a host's own. */
  readonly id: string;
  /** Whether the source can be used here; when not, why (shown to the user). */
  availability(): Promise<{ available: true } | { available: false; reason: string }>;
  /** The key, or undefined when this source holds none. */
  load(): Promise<string | undefined>;
}

/** A key source that can also keep the key (the OS keychain). */
export interface WritableKeySource extends KeySource {
  store(vaultKey: string): Promise<void>;
  forget(): Promise<boolean>;
}
