import { networkErrorCode, providerError } from "@vaultlink/core/plugin";
import { PROVIDER_ID } from "./reference.js";

/**
 * The HTTP API this provider talks to. Replace these two calls with your service's SDK or API;
 * keep the rule that no response body, token or key ever goes into a message.
 *
 *   POST /v1/sessions        {"apiKey": "…"}   → 201 {"token", "expiresInSeconds", "identity"}
 *   GET  /v1/secrets/<name>  Bearer <token>    → 200 {"value"} | 401 | 403 | 404 | 429
 */

export interface IssuedSession {
  token: string;
  expiresInSeconds?: number;
  identity?: string;
}

/** The `url` setting as a base URL, or a PROVIDER_ERROR that names the setting. */
export function serviceUrl(setting: unknown): URL {
  let url: URL | undefined;
  try {
    url = typeof setting === "string" ? new URL(setting) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw providerError(PROVIDER_ID, "PROVIDER_ERROR", "The url setting is not an http(s) URL.", {
      hint: `Set it with: vaultlink integration configure <id> --url https://secrets.example.com`,
    });
  }
  return url;
}

/** Exchange an API key for a session token. */
export async function signIn(
  base: URL,
  apiKey: string,
  signal?: AbortSignal,
): Promise<IssuedSession> {
  const response = await send(new URL("v1/sessions", withSlash(base)), base, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ apiKey }),
    ...(signal ? { signal } : {}),
  });
  if (response.status === 401 || response.status === 403) {
    await response.body?.cancel();
    throw providerError(PROVIDER_ID, "AUTH_FAILED", `${base.host} refused the API key.`, {
      hint: "Check the key, then connect again.",
    });
  }
  const body = (await readJson(response)) as Partial<IssuedSession> | undefined;
  if (response.status !== 201 || typeof body?.token !== "string") {
    throw unexpected(base, response.status);
  }
  return {
    token: body.token,
    ...(typeof body.expiresInSeconds === "number"
      ? { expiresInSeconds: body.expiresInSeconds }
      : {}),
    ...(typeof body.identity === "string" ? { identity: body.identity } : {}),
  };
}

/** One secret's value, or the HTTP status that says why not. */
export type Lookup =
  | { ok: true; value: string }
  | { ok: false; status: number; retryAfterSeconds?: number };

export async function readSecret(
  base: URL,
  token: string,
  name: string,
  signal?: AbortSignal,
): Promise<Lookup> {
  const response = await send(
    new URL(`v1/secrets/${encodeURIComponent(name)}`, withSlash(base)),
    base,
    {
      headers: { authorization: `Bearer ${token}` },
      ...(signal ? { signal } : {}),
    },
  );
  if (response.status !== 200) {
    await response.body?.cancel();
    const retryAfter = Number(response.headers.get("retry-after"));
    return {
      ok: false,
      status: response.status,
      ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterSeconds: retryAfter } : {}),
    };
  }
  const body = (await readJson(response)) as { value?: unknown } | undefined;
  if (typeof body?.value !== "string") throw unexpected(base, response.status);
  return { ok: true, value: body.value };
}

async function send(url: URL, base: URL, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    // Core's deadline: core reports it the same way for every provider.
    if (init.signal?.aborted) throw error;
    const code = networkErrorCode(error);
    if (code) {
      throw providerError(PROVIDER_ID, "UNREACHABLE", `${base.host} cannot be reached (${code}).`, {
        hint: "Check the url setting and that the service is running.",
      });
    }
    // The error is not passed on as `cause`: SDK and HTTP errors may carry request details.
    throw providerError(PROVIDER_ID, "PROVIDER_ERROR", `The request to ${base.host} failed.`, {
      hint: "Try again; run with --debug if it keeps failing.",
    });
  }
}

async function readJson(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    return undefined;
  }
}

function unexpected(base: URL, status: number) {
  return providerError(
    PROVIDER_ID,
    "PROVIDER_ERROR",
    `${base.host} gave an unexpected answer (HTTP ${status}).`,
    { hint: "Check that the url setting points at the secrets service." },
  );
}

function withSlash(base: URL): URL {
  return base.pathname.endsWith("/") ? base : new URL(`${base.href}/`);
}
