import type { ProviderErrorCode } from "../errors/codes.js";
import { isVaultlinkError, VaultlinkError } from "../errors/index.js";
import type { FetchResult } from "./contract.js";

/** An error a provider throws for a whole call (authenticate, or a failure for every ref). */
export function providerError(
  provider: string,
  code: ProviderErrorCode,
  message: string,
  options: { hint?: string; cause?: unknown; details?: Record<string, unknown> } = {},
): VaultlinkError {
  return new VaultlinkError(code, message, { ...options, provider });
}

/**
 * A failure a provider mapped from an SDK or HTTP error: a core code and words for a person
 * (what failed, what to do next). Never holds a secret value or a token.
 */
export interface ProviderFailure {
  code: ProviderErrorCode;
  message: string;
  hint?: string;
  details?: Record<string, unknown>;
}

/** The failed result of one request, from a mapped failure. */
export function failureFrom(id: string, mapped: ProviderFailure): FetchResult {
  return failure(id, mapped.code, mapped.message, {
    ...(mapped.hint ? { hint: mapped.hint } : {}),
    ...(mapped.details ? { details: mapped.details } : {}),
  });
}

/** A mapped failure as an error to throw (a sign-in, a failure of the whole call). */
export function errorFrom(
  provider: string,
  mapped: ProviderFailure,
  options: { cause?: unknown } = {},
): VaultlinkError {
  return providerError(provider, mapped.code, mapped.message, {
    ...(options.cause !== undefined ? { cause: options.cause } : {}),
    ...(mapped.hint ? { hint: mapped.hint } : {}),
    ...(mapped.details ? { details: mapped.details } : {}),
  });
}

/** A failed result for one request. */
export function failure(
  id: string,
  code: ProviderErrorCode,
  message: string,
  extra: { hint?: string; details?: Record<string, unknown> } = {},
): FetchResult {
  return { id, ok: false, code, message, ...extra };
}

/** Turn anything a provider threw into per-request failures, keeping its code when it has one. */
export function failAll(ids: readonly string[], error: unknown): FetchResult[] {
  const code: ProviderErrorCode =
    isVaultlinkError(error) && isProviderCode(error.code) ? error.code : "PROVIDER_ERROR";
  const message = error instanceof Error ? error.message : "The provider call failed.";
  const hint = isVaultlinkError(error) ? error.hint : undefined;
  const details = isVaultlinkError(error) ? error.details : undefined;
  return ids.map((id) => ({
    id,
    ok: false as const,
    code,
    message,
    ...(hint ? { hint } : {}),
    ...(details ? { details } : {}),
  }));
}

const PROVIDER_CODES = new Set<string>([
  "AUTH_EXPIRED",
  "AUTH_FAILED",
  "PERMISSION_DENIED",
  "NOT_FOUND",
  "THROTTLED",
  "UNREACHABLE",
  "INVALID_REFERENCE",
  "PROVIDER_ERROR",
]);

export function isProviderCode(code: string): code is ProviderErrorCode {
  return PROVIDER_CODES.has(code);
}

/** Run `worker` over `items` with at most `limit` in flight. */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  worker: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await worker(items[index] as T, index);
    }
  });
  await Promise.all(lanes);
  return results;
}

/** Split a list into chunks of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
