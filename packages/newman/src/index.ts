/**
 * @vaultlink/newman: run Postman collections on Newman (Postman's own engine,
 * postman-runtime) with vaultlink as the vault.
 */

export { formatUnresolved } from "./report.js";
export {
  formatPluginProblem,
  loadProviders,
  openUserVault,
  type RunOptions,
  type RunResult,
  run,
  type UnresolvedInRun,
  type UnresolvedMode,
} from "./run.js";
