import { createPublicKey, type KeyObject } from "node:crypto";
import type { DiscoveredIssuer } from "./auth-methods.js";

const TIMEOUT_MS = 10_000;

async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  const text = await response.text();
  if (!response.ok)
    throw new Error(`${response.status} ${response.statusText}: ${text.slice(0, 200)}`);
  try {
    return JSON.parse(text);
  } catch {
    throw new Error("failed to decode provider discovery object: not JSON");
  }
}

/**
 * What `oidc_discovery_url` points at, fetched as Vault's go-oidc does: the document at
 * `<url>/.well-known/openid-configuration`, whose `issuer` must equal the URL.
 */
export async function discoverIssuer(url: string): Promise<DiscoveredIssuer> {
  const base = url.replace(/\/+$/, "");
  const document = (await getJson(`${base}/.well-known/openid-configuration`)) as Record<
    string,
    unknown
  >;
  const issuer = typeof document?.issuer === "string" ? document.issuer : "";
  if (issuer !== url) {
    throw new Error(
      `oidc: issuer did not match the issuer returned by provider, expected "${url}" got "${issuer}"`,
    );
  }
  if (typeof document.jwks_uri !== "string" || document.jwks_uri === "") {
    throw new Error("oidc: provider discovery document has no jwks_uri");
  }
  return { url, issuer, jwksUri: document.jwks_uri };
}

/** Fetch the issuer's JWKS (again), keeping the keys by `kid`. */
export async function refreshKeys(discovery: DiscoveredIssuer): Promise<Map<string, KeyObject>> {
  const body = (await getJson(discovery.jwksUri)) as { keys?: unknown };
  const keys = new Map<string, KeyObject>();
  for (const jwk of Array.isArray(body?.keys) ? body.keys : []) {
    if (jwk === null || typeof jwk !== "object") continue;
    const { kid, use } = jwk as { kid?: unknown; use?: unknown };
    if (use !== undefined && use !== "sig") continue;
    try {
      keys.set(typeof kid === "string" ? kid : "", createPublicKey({ key: jwk, format: "jwk" }));
    } catch {
      // A key Node cannot read is skipped, as go-jose skips unknown key types.
    }
  }
  discovery.jwks = keys;
  return keys;
}

/** Keys that may have signed a token with this `kid`: the cached set, refetched on a miss. */
export async function keysFor(
  discovery: DiscoveredIssuer,
  kid: string | undefined,
): Promise<KeyObject[]> {
  let keys = discovery.jwks;
  if (!keys || (kid !== undefined && !keys.has(kid))) keys = await refreshKeys(discovery);
  if (kid !== undefined) {
    const key = keys.get(kid);
    return key ? [key] : [];
  }
  return [...keys.values()];
}
