/**
 * Telling "the service could not be reached" apart from everything else, for every provider the
 * same way. Codes come from Node's sockets and DNS (`ECONNREFUSED`…), undici, and axios.
 */
export const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
  "EPIPE",
  "ERR_NETWORK",
  "ERR_SOCKET_CONNECTION_TIMEOUT",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_SOCKET",
]);

/** TLS failures (untrusted or expired certificate, wrong host name): also "unreachable". */
export const TLS_ERROR_CODE = /^(CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_TLS_|ERR_SSL_)/;

/**
 * The network or TLS error code of `error`, looking through `cause` chains and the members of
 * an AggregateError (Node reports a refused dual-stack connect that way). Undefined otherwise.
 */
export function networkErrorCode(error: unknown, depth = 0): string | undefined {
  if (depth > 5 || typeof error !== "object" || error === null) return undefined;
  const e = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (
    typeof e.code === "string" &&
    (NETWORK_ERROR_CODES.has(e.code) || TLS_ERROR_CODE.test(e.code))
  ) {
    return e.code;
  }
  if (Array.isArray(e.errors)) {
    for (const inner of e.errors) {
      const found = networkErrorCode(inner, depth + 1);
      if (found) return found;
    }
  }
  return networkErrorCode(e.cause, depth + 1);
}

/** The next step for expired or revoked credentials, as every provider words it. */
export function reauthHint(integrationId: string): string {
  return `run vaultlink integration reauth ${integrationId}`;
}
