/**
 * Whether a provider failure is an outage (the service is down, slow or shedding load), which
 * stale-if-error may paper over, as opposed to an answer about the request or the caller
 * (auth, permission, not found, a bad reference), which it never may. A PROVIDER_ERROR counts
 * only when the provider reported an HTTP status of 500–599 in `details.httpStatus` or
 * `details.status`.
 */
export function isOutage(code: string, details?: Record<string, unknown>): boolean {
  if (code === "UNREACHABLE" || code === "THROTTLED") return true;
  if (code !== "PROVIDER_ERROR" || details === undefined) return false;
  const status = details.httpStatus ?? details.status;
  return typeof status === "number" && status >= 500 && status <= 599;
}
