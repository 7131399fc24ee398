import { backOff } from "exponential-backoff";

/** How a provider retries calls the service refused for rate limits. */
export interface ThrottleRetry {
  /** Retries after the first attempt; 0 turns retrying off. */
  retries: number;
  /** Longest wait before the first retry; each later retry may wait twice as long. */
  baseDelayMs: number;
  /** No single wait is longer than this. */
  maxDelayMs: number;
}

export const DEFAULT_THROTTLE_RETRY: ThrottleRetry = {
  retries: 2,
  baseDelayMs: 500,
  maxDelayMs: 4_000,
};

/** Plugin options (`vaultlink.config` / embedders' `pluginOptions`) that tune retrying. */
export const THROTTLE_RETRIES_OPTION = "throttleRetries";
export const THROTTLE_BASE_DELAY_OPTION = "throttleBaseDelayMs";

function wholeNumber(value: unknown, fallback: number): number {
  const n = typeof value === "number" ? value : Number(value);
  return value !== undefined && Number.isFinite(n) && n >= 0 ? Math.floor(n) : fallback;
}

/** The retry policy a plugin's options ask for, over the defaults. */
export function throttleRetryOf(
  pluginOptions: Readonly<Record<string, unknown>>,
  defaults: ThrottleRetry = DEFAULT_THROTTLE_RETRY,
): ThrottleRetry {
  return {
    retries: wholeNumber(pluginOptions[THROTTLE_RETRIES_OPTION], defaults.retries),
    baseDelayMs: wholeNumber(pluginOptions[THROTTLE_BASE_DELAY_OPTION], defaults.baseDelayMs),
    maxDelayMs: defaults.maxDelayMs,
  };
}

/**
 * Run `call`; while it fails with a rate limit (`isThrottled(error)`), wait (exponential
 * backoff with full jitter, so callers throttled together do not retry in step) and call
 * again, at most `policy.retries` more times. Other failures, and the last rate limit, are
 * thrown exactly as they came, whatever was thrown.
 */
export function retryWhileThrottled<T>(
  call: () => Promise<T>,
  isThrottled: (error: unknown) => boolean,
  policy: ThrottleRetry,
  onRetry?: (retry: number) => void,
): Promise<T> {
  return backOff(call, {
    numOfAttempts: policy.retries + 1,
    startingDelay: policy.baseDelayMs,
    timeMultiple: 2,
    maxDelay: policy.maxDelayMs,
    jitter: "full",
    retry(error: unknown, failedAttempts: number) {
      if (failedAttempts > policy.retries || !isThrottled(error)) return false;
      onRetry?.(failedAttempts);
      return true;
    },
  });
}
