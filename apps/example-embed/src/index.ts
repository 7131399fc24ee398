/**
 * Runs Postman Collection v2.1 files with `{{vault:…}}` references resolved from a vaultlink
 * vault, per request and against each request's own URL. A worked example of embedding
 * @vaultlink/core without the CLI.
 */

export { asCollection, loadCollection } from "./collection/load.js";
export type * from "./collection/types.js";
export { formatResult, formatSummary } from "./report.js";
export {
  type RequestResult,
  type RunOptions,
  type RunResult,
  type RunSummary,
  runCollection,
} from "./run.js";
