import type { RequestTemplate } from "./template.js";

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
  request: RequestTemplate,
  options: { carriesSecrets: boolean; fetch: typeof globalThis.fetch; signal?: AbortSignal },
): Promise<Sent> {
  const headers = new Headers();
  for (const [k, v] of request.headers) headers.append(k, v);
  let body: string | URLSearchParams | FormData | undefined;
  if (request.body && !NO_BODY.has(request.method)) {
    const b = request.body;
    if (b.kind === "raw") {
      body = b.text;
      if (b.contentType && !headers.has("content-type")) headers.set("content-type", b.contentType);
    } else if (b.kind === "urlencoded") {
      body = new URLSearchParams(b.fields);
    } else {
      const form = new FormData();
      for (const [k, v] of b.fields) form.append(k, v);
      body = form;
    }
  }
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
