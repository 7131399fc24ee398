/**
 * The provider plugin contract. Plugin authors import only from here:
 * `import { defineProvider } from "@vaultlink/core/plugin"`.
 */

export { Singleflight } from "../cache/singleflight.js";
export {
  CORE_SETTINGS,
  DEFAULT_TIMEOUT_SECONDS,
  formatSeconds,
  MAX_TIMEOUT_SECONDS,
  MIN_TIMEOUT_SECONDS,
  requestTimeoutMsOf,
  TIMEOUT_OPTION,
  timedOut,
} from "../deadline/index.js";
export {
  type ErrorCode,
  isVaultlinkError,
  type ProviderErrorCode,
  VaultlinkError,
  vaultlinkError,
} from "../errors/index.js";
export { REDACTED } from "../redaction/index.js";
export * from "./contract.js";
export {
  CONCURRENCY_OPTION,
  concurrencyOf,
  MAX_CONCURRENCY,
  MIN_CONCURRENCY,
} from "./core-settings.js";
export { defineProvider, withCoreSettings } from "./define-provider.js";
export {
  chunk,
  errorFrom,
  failAll,
  failure,
  failureFrom,
  isProviderCode,
  mapWithConcurrency,
  type ProviderFailure,
  providerError,
} from "./helpers.js";
export { NETWORK_ERROR_CODES, networkErrorCode, reauthHint, TLS_ERROR_CODE } from "./network.js";
export {
  DEFAULT_THROTTLE_RETRY,
  retryWhileThrottled,
  THROTTLE_BASE_DELAY_OPTION,
  THROTTLE_RETRIES_OPTION,
  type ThrottleRetry,
  throttleRetryOf,
} from "./retry.js";
export { validateProvider } from "./validate.js";
