/**
 * The client of the service's API: the one place that talks to the service. Replace it with
 * your service's SDK or API; keep its two rules: no response body, token or key ever goes into
 * an error it throws, and failures are thrown as they come (src/errors.ts maps them).
 *
 *   POST /v1/sessions        {"apiKey": "…"}   → 201 {"token", "expiresInSeconds", "identity"}
 *   GET  /v1/secrets/<name>  Bearer <token>    → 200 {"value"} | 401 | 403 | 404 | 429
 *
 * This template needs no SDK: it uses Node's own `fetch`. An SDK is imported here and only
 * here, inside `createClient` (`const { SecretsClient } = await import("acme-secrets")`), never
 * at the top of a module: hosts import every configured plugin to list it, and a read served
 * from the cache must not pay for loading an SDK. See "Adding an SDK" in README.md.
 */

export interface IssuedSession {
  token: string;
  expiresInSeconds?: number;
  identity?: string;
}

export interface ClientOptions {
  /** The service's base URL, ending in '/'. */
  base: URL;
  /** The longest one request may take (core's `ctx.requestTimeoutMs`). */
  requestTimeoutMs: number;
}

export interface ServiceClient {
  readonly host: string;
  /** Exchange an API key for a session token. */
  createSession(apiKey: string, signal?: AbortSignal): Promise<IssuedSession>;
  /** One secret's value. */
  readSecret(token: string, name: string, signal?: AbortSignal): Promise<string>;
}

/**
 * The service answered, but not with what was asked for: an HTTP status other than the one
 * expected, or a body without the expected fields. Carries no body.
 */
export class ServiceResponseError extends Error {
  constructor(
    readonly status: number,
    readonly retryAfterSeconds?: number,
  ) {
    super(`The service answered HTTP ${status}.`);
    this.name = "ServiceResponseError";
  }
}

export async function createClient(options: ClientOptions): Promise<ServiceClient> {
  const { base, requestTimeoutMs } = options;

  async function send(path: string, init: RequestInit, signal?: AbortSignal): Promise<Response> {
    // Core's signal (its deadline, or the caller giving up) and our own request timeout.
    const timeout = AbortSignal.timeout(requestTimeoutMs);
    return fetch(new URL(path, base), {
      ...init,
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
  }

  async function expect(response: Response, status: number): Promise<Record<string, unknown>> {
    if (response.status !== status) {
      await response.body?.cancel();
      const retryAfter = Number(response.headers.get("retry-after"));
      throw new ServiceResponseError(
        response.status,
        Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
      );
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      body = undefined;
    }
    if (typeof body !== "object" || body === null) throw new ServiceResponseError(response.status);
    return body as Record<string, unknown>;
  }

  return {
    host: base.host,

    async createSession(apiKey, signal) {
      const response = await send(
        "v1/sessions",
        {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ apiKey }),
        },
        signal,
      );
      const body = await expect(response, 201);
      if (typeof body.token !== "string") throw new ServiceResponseError(response.status);
      return {
        token: body.token,
        ...(typeof body.expiresInSeconds === "number"
          ? { expiresInSeconds: body.expiresInSeconds }
          : {}),
        ...(typeof body.identity === "string" ? { identity: body.identity } : {}),
      };
    },

    async readSecret(token, name, signal) {
      const response = await send(
        `v1/secrets/${encodeURIComponent(name)}`,
        { headers: { authorization: `Bearer ${token}` } },
        signal,
      );
      const body = await expect(response, 200);
      if (typeof body.value !== "string") throw new ServiceResponseError(response.status);
      return body.value;
    },
  };
}
