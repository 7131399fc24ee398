export {
  deriveKey,
  IV_BYTES,
  KEY_BYTES,
  openBytes,
  randomKey,
  sealBytes,
  TAG_BYTES,
} from "./crypto.js";
export { checkVaultDir, ensureVaultDir, isInVaultDir } from "./dir.js";
export { checkVaultDocument, isSecretRecord } from "./document-check.js";
export {
  decodeVaultFile,
  encodeVaultFile,
  VAULT_FORMAT_VERSION,
  VAULT_MAGIC,
  verifyVaultFile,
} from "./format.js";
export { generateVaultKey, isVaultKey, parseVaultKey, VAULT_KEY_PREFIX } from "./key.js";
export * from "./keys/index.js";
export type { LockOptions } from "./lock.js";
export * from "./model.js";
export { assertSecretName, SECRET_NAME_PATTERN } from "./names.js";
export {
  BACKUP_FILE_NAME,
  CACHE_FILE_NAME,
  LOCK_DIR_NAME,
  type ResolveVaultPathsOptions,
  resolveVaultPaths,
  VAULT_FILE_NAME,
} from "./paths.js";
export {
  confirmReset,
  confirmRestore,
  FileVaultStore,
  type FileVaultStoreOptions,
  type ResetOptions,
  type RestoreOptions,
  type RestoreResult,
  vaultNotFoundError,
} from "./store.js";
export type * from "./types.js";
