import type { WireRequest } from "./types.js";

export interface Sent {
  status: number;
  statusText: string;
  /** Where a redirect pointed when it was not followed. */
  location?: string;
}

const NO_BODY = new Set(["GET", "HEAD"]);

/**
 * Send one prepared request. A request that carries vault secrets never follows redirects:
 * the next hop was not checked against the secrets' allowed domains, and fetch would resend
 * custom headers (and, for 307/308, the body) to it.
 */
export async function sendRequest(
  request: WireRequest,
  options: { carriesSecrets: boolean; fetch: typeof globalThis.fetch; signal?: AbortSignal },
): Promise<Sent> {
  const headers = new Headers();
  for (const [k, v] of request.headers) headers.append(k, v);
  const body =
    request.body !== undefined && !NO_BODY.has(request.method) ? request.body : undefined;
  const response = await options.fetch(request.url, {
    method: request.method,
    headers,
    ...(body !== undefined ? { body } : {}),
    redirect: options.carriesSecrets ? "manual" : "follow",
    ...(options.signal ? { signal: options.signal } : {}),
  });
  // Drain the body so the connection is released; its content is not reported (it may echo
  // a secret back).
  await response.arrayBuffer().catch(() => undefined);
  const location =
    response.status >= 300 && response.status < 400 ? response.headers.get("location") : null;
  return {
    status: response.status,
    statusText: response.statusText,
    ...(location ? { location } : {}),
  };
}
