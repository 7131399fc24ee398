import { type FetchRequest, type FetchResult, isVaultlinkError } from "@vaultlink/core/plugin";

/** A conformance check that did not hold. Messages never quote secret values. */
export class ConformanceError extends Error {
  override name = "ConformanceError";
}

export function fail(message: string): never {
  throw new ConformanceError(message);
}

export function check(condition: unknown, message: string): asserts condition {
  if (!condition) fail(message);
}

export function describeThrown(error: unknown): string {
  if (isVaultlinkError(error)) return `VaultlinkError ${error.code}: ${error.message}`;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return `a non-error value (${typeof error})`;
}

export function asText(value: string | Uint8Array): string {
  return typeof value === "string" ? value : new TextDecoder().decode(value);
}

/**
 * Check the shape of a fetch answer against its requests: an array with exactly one result
 * per request id, each well formed. Returns the results keyed by id.
 */
export function resultsById(
  requests: readonly FetchRequest[],
  results: unknown,
): Map<string, FetchResult> {
  check(Array.isArray(results), "fetch must resolve to an array of results.");
  const wanted = new Set(requests.map((r) => r.id));
  const byId = new Map<string, FetchResult>();
  for (const result of results as unknown[]) {
    check(result !== null && typeof result === "object", "Every fetch result must be an object.");
    const r = result as Partial<FetchResult> & Record<string, unknown>;
    check(typeof r.id === "string", "Every fetch result must carry the request's id.");
    check(wanted.has(r.id), `fetch returned a result for id "${r.id}", which was not requested.`);
    check(!byId.has(r.id), `fetch returned more than one result for id "${r.id}".`);
    if (r.ok === true) {
      check(
        typeof r.value === "string" || r.value instanceof Uint8Array,
        `The result for "${r.id}" is ok but its value is neither a string nor a Uint8Array.`,
      );
      check(
        r.version === undefined || typeof r.version === "string",
        `The result for "${r.id}" has a version that is not a string.`,
      );
    } else if (r.ok === false) {
      check(
        typeof r.code === "string" && (r.code as string) !== "",
        `The failed result for "${r.id}" has no code.`,
      );
      check(
        typeof r.message === "string" && r.message.trim() !== "",
        `The failed result for "${r.id}" (${String(r.code)}) has no message.`,
      );
    } else {
      fail(`The result for "${r.id}" has no boolean "ok".`);
    }
    byId.set(r.id, r as FetchResult);
  }
  const missing = [...wanted].filter((id) => !byId.has(id));
  check(
    missing.length === 0,
    `fetch returned no result for ${missing.map((id) => `"${id}"`).join(", ")}; every request needs exactly one.`,
  );
  return byId;
}
