export { deriveKey, openBytes, randomKey, sealBytes } from "./crypto.js";
export { generateVaultKey, isVaultKey, parseVaultKey, VAULT_KEY_PREFIX } from "./key.js";
export { envKeySource, VAULT_KEY_ENV } from "./keys/env.js";
export { keychainKeySource } from "./keys/keychain.js";
export { promptKeySource } from "./keys/prompt.js";
export { resolveVaultKey } from "./keys/resolve.js";
export { resolveVaultPaths } from "./paths.js";
export { confirmReset, FileVaultStore, type FileVaultStoreOptions } from "./store.js";
export type {
  KeySource,
  VaultFileStore,
  VaultPaths,
  VaultSession,
  WritableKeySource,
} from "./types.js";
