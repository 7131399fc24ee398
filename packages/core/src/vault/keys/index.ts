export { envKeySource, VAULT_KEY_ENV } from "./env.js";
export { type KeychainKeySourceOptions, keychainKeySource } from "./keychain.js";
export { promptKeySource } from "./prompt.js";
export { type ResolvedVaultKey, resolveVaultKey, type SkippedKeySource } from "./resolve.js";
