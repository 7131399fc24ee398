import { createPublicKey, type KeyObject } from "node:crypto";
import http from "node:http";
import https from "node:https";
import { rootCertificates } from "node:tls";
import type { DiscoveredIssuer } from "./auth-methods.js";

const TIMEOUT_MS = 10_000;

/**
 * Extra CA certificate trusted for discovery and JWKS fetches: an https emulator adds its own
 * certificate, so a discovery URL pointing at itself works.
 */
export interface OutboundTrust {
  ca?: string;
}

function get(url: string, trust: OutboundTrust): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const secure = target.protocol === "https:";
    const options = secure && trust.ca ? { ca: [...rootCertificates, trust.ca] } : {};
    const req = (secure ? https : http).get(target, { ...options, timeout: TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
      );
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`timeout after ${TIMEOUT_MS} ms`)));
    req.on("error", reject);
  });
}

async function getJson(url: string, trust: OutboundTrust): Promise<unknown> {
  const { status, text } = await get(url, trust);
  if (status < 200 || status >= 300) throw new Error(`${status}: ${text.slice(0, 200)}`);
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
export async function discoverIssuer(
  url: string,
  trust: OutboundTrust = {},
): Promise<DiscoveredIssuer> {
  const base = url.replace(/\/+$/, "");
  const document = (await getJson(`${base}/.well-known/openid-configuration`, trust)) as Record<
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
  return { url, issuer, jwksUri: document.jwks_uri, trust };
}

/** Fetch the issuer's JWKS (again), keeping the keys by `kid`. */
export async function refreshKeys(discovery: DiscoveredIssuer): Promise<Map<string, KeyObject>> {
  const body = (await getJson(discovery.jwksUri, discovery.trust ?? {})) as { keys?: unknown };
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
