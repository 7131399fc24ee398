export { type DefaultKeySourcesOptions, defaultKeySources } from "./defaults.js";
export { envKeySource, VAULT_KEY_ENV } from "./env.js";
export { type KeychainKeySourceOptions, keychainKeySource } from "./keychain.js";
export { promptKeySource } from "./prompt.js";
export {
  askKeySource,
  type KeySourceOutcome,
  type KeySourceReport,
  lockedVaultError,
  type ResolvedVaultKey,
  reportKeySources,
  resolveVaultKey,
  type SkippedKeySource,
} from "./resolve.js";
