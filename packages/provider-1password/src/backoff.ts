import { setTimeout as sleep } from "node:timers/promises";
import type { ProviderContext } from "@vaultlink/core/plugin";

/** How rate-limited calls are retried. */
export interface Backoff {
  /** Retries after the first attempt; 0 turns retrying off. */
  retries: number;
  /** Wait before the first retry; each later retry waits twice as long, up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { retries: 2, baseDelayMs: 500, maxDelayMs: 4_000 };

/** Plugin options that tune retrying: `throttleRetries`, `throttleBaseDelayMs`. */
export const THROTTLE_RETRIES_OPTION = "throttleRetries";
export const THROTTLE_BASE_DELAY_OPTION = "throttleBaseDelayMs";

function count(value: unknown, fallback: number): number {
  const n = typeof value === "number" ? value : Number(value);
  return value !== undefined && Number.isFinite(n) && n >= 0 ? Math.floor(n) : fallback;
}

export function backoffOf(ctx: ProviderContext): Backoff {
  return {
    retries: count(ctx.pluginOptions[THROTTLE_RETRIES_OPTION], DEFAULT_BACKOFF.retries),
    baseDelayMs: count(ctx.pluginOptions[THROTTLE_BASE_DELAY_OPTION], DEFAULT_BACKOFF.baseDelayMs),
    maxDelayMs: DEFAULT_BACKOFF.maxDelayMs,
  };
}

/**
 * Run `call`; while it fails with a rate limit (`throttled(error)`), wait with exponential
 * backoff and jitter and call again, at most `backoff.retries` more times. Any other failure,
 * and the last rate limit, are thrown as they came.
 */
export async function withBackoff<T>(
  call: () => Promise<T>,
  throttled: (error: unknown) => boolean,
  backoff: Backoff,
  onRetry?: (delayMs: number, retry: number) => void,
): Promise<T> {
  for (let retry = 1; ; retry++) {
    try {
      return await call();
    } catch (error) {
      if (retry > backoff.retries || !throttled(error)) throw error;
      const ceiling = Math.min(backoff.maxDelayMs, backoff.baseDelayMs * 2 ** (retry - 1));
      // Half fixed, half random: callers throttled together do not retry in step.
      const delayMs = Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
      onRetry?.(delayMs, retry);
      await sleep(delayMs);
    }
  }
}
