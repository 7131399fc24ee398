/**
 * `@vaultlink/core/quick`: the one-shot read path for short-lived processes. It imports only
 * the vault file format, the cache file and the hot-path rules, not the engine.
 */

export { type ListNamesOptions, listVaultNames, type VaultNames } from "./list-names.js";
export { type ReadServableOptions, readServable, type ServedValue } from "./read-servable.js";
