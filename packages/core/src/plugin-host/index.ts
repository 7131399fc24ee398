/**
 * What a host (the `vaultlink` CLI, vaultlink-newman) needs to load provider plugins the same
 * way: the config file, discovery, compatibility checks, import and validation, and the hook
 * that gives every plugin the host's core.
 */
export { type CompatProblem, checkPluginPackage } from "./compat.js";
export {
  defaultPluginConfig,
  type PluginConfig,
  type PluginEntry,
  parsePluginConfig,
  pluginConfigFile,
  readPluginConfig,
} from "./config.js";
export { findPackageDir } from "./package-dir.js";
export {
  FIRST_PARTY,
  type LoadedPlugin,
  type PluginCandidate,
  type PluginHost,
  type PluginProblem,
  PluginRegistry,
} from "./registry.js";
export { hostCoreVersion, shareHostCore } from "./share-core.js";
