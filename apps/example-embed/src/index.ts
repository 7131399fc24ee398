/**
 * An HTTP client whose requests may carry `{{vault:…}}` references, resolved from a vaultlink
 * vault against each request's own URL: a worked example of embedding @vaultlink/core
 * without the CLI. (To run Postman collections, use @vaultlink/newman.)
 */

export { prepareRequest } from "./request/resolve.js";
export type { VaultRequest, WireRequest } from "./request/types.js";
export {
  type FetchOutcome,
  formatOutcome,
  type VaultFetchOptions,
  vaultFetch,
} from "./vault-fetch.js";
