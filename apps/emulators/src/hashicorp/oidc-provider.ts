import { createHash, timingSafeEqual } from "node:crypto";
import type { EmulatorRequest, EmulatorResponse } from "../shared/index.js";
import type { ApiContext, Endpoint } from "./api-route.js";
import { BadRequest, jsonBody } from "./body.js";
import { notFound } from "./envelope.js";
import {
  AUTH_CODE_TTL_MS,
  base62,
  type Entity,
  halfHash,
  type NamedKey,
  type OidcProvider,
  publicJwk,
  signJwt,
} from "./identity.js";
import { redirectAllowed } from "./oidc.js";
import {
  allowsClient,
  fillTemplate,
  issuerOf,
  NAME,
  OIDC_OBJECT_ENDPOINTS,
} from "./oidc-provider-objects.js";
import type { VaultState } from "./state.js";
import type { VaultToken } from "./tokens.js";

/** An answer with a raw JSON body (the OIDC endpoints do not use Vault's envelope). */
const raw = (
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): EmulatorResponse => ({
  status,
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body),
});

/** A provider reachable at this namespace (from the path or the header). */
function flowProvider(ctx: ApiContext): OidcProvider | undefined {
  const namespace = ctx.params[0] || ctx.namespace;
  const provider = ctx.state.identity.providers.get(ctx.params[1] as string);
  return provider && provider.namespace === namespace ? provider : undefined;
}

function discovery(ctx: ApiContext): EmulatorResponse {
  const provider = flowProvider(ctx);
  if (!provider) return notFound();
  const issuer = issuerOf(ctx.state, provider);
  return raw(
    200,
    {
      issuer,
      jwks_uri: `${issuer}/.well-known/keys`,
      authorization_endpoint: `${issuer.replace("/v1/", "/ui/vault/")}/authorize`,
      token_endpoint: `${issuer}/token`,
      userinfo_endpoint: `${issuer}/userinfo`,
      request_parameter_supported: false,
      request_uri_parameter_supported: false,
      id_token_signing_alg_values_supported: [
        "RS256",
        "RS384",
        "RS512",
        "ES256",
        "ES384",
        "ES512",
        "EdDSA",
      ],
      response_types_supported: ["code"],
      scopes_supported: [...provider.scopesSupported, "openid"],
      claims_supported: [],
      subject_types_supported: ["public"],
      grant_types_supported: ["authorization_code"],
      token_endpoint_auth_methods_supported: ["none", "client_secret_basic", "client_secret_post"],
      code_challenge_methods_supported: ["plain", "S256"],
    },
    { "cache-control": "max-age=3600" },
  );
}

function providerKeys(ctx: ApiContext): EmulatorResponse {
  const provider = flowProvider(ctx);
  if (!provider) return notFound();
  const { identity } = ctx.state;
  const names = new Set<string>();
  for (const client of identity.clients.values()) {
    if (allowsClient(provider, client.clientId)) names.add(client.key);
  }
  const keys = [...names]
    .map((name) => identity.key(name))
    .filter((k): k is NamedKey => k !== undefined)
    .map(publicJwk);
  return raw(200, { keys }, { "cache-control": "max-age=3600" });
}

// ---------------------------------------------------------------- the flow

/** What the authorization endpoint answers: `{code, state}` or `{error, error_description, state}`. */
export interface AuthorizeResult {
  status: number;
  body: Record<string, string>;
  /** The client's redirect URI when it was checked (so a browser may be sent there). */
  redirectUri?: string;
}

/**
 * Vault's authorization endpoint: the signed-in caller's token (its entity) asks for a code
 * for `client_id`. Checks in Vault's order and with its error codes.
 */
export function authorize(
  state: VaultState,
  providerName: string,
  namespace: string,
  token: VaultToken,
  params: Record<string, string | undefined>,
): AuthorizeResult {
  const requestState = params.state ?? "";
  const fail = (error: string, description: string, redirectUri?: string): AuthorizeResult => ({
    status: error === "server_error" ? 500 : 400,
    body: { error, error_description: description, state: requestState },
    ...(redirectUri ? { redirectUri } : {}),
  });
  const { identity } = state;
  const clientId = params.client_id ?? "";
  if (clientId === "") return fail("invalid_client_id", "client_id parameter is required");
  const client = identity.clientById(clientId);
  if (!client) return fail("invalid_client_id", "client with client_id not found");
  const redirectUri = params.redirect_uri ?? "";
  if (redirectUri === "") return fail("invalid_request", "redirect_uri parameter is required");
  if (!redirectAllowed(redirectUri, client.redirectUris)) {
    return fail("invalid_redirect_uri", "redirect_uri is not allowed for the client");
  }
  const provider = identity.providers.get(providerName);
  if (!provider || provider.namespace !== namespace) {
    return fail("invalid_request", "provider not found", redirectUri);
  }
  if (!allowsClient(provider, clientId)) {
    return fail("unauthorized_client", "client is not authorized to use the provider", redirectUri);
  }
  if (params.request !== undefined) {
    return fail("request_not_supported", "request parameter is not supported", redirectUri);
  }
  if (params.request_uri !== undefined) {
    return fail("request_uri_not_supported", "request_uri parameter is not supported", redirectUri);
  }
  const requested = [...new Set((params.scope ?? "").split(" ").filter((s) => s !== ""))].sort();
  if (!requested.includes("openid")) {
    return fail("invalid_request", 'scope parameter must contain the "openid" value', redirectUri);
  }
  const scopes = requested.filter((s) => s !== "openid" && provider.scopesSupported.includes(s));
  const responseType = params.response_type ?? "";
  if (responseType === "")
    return fail("invalid_request", "response_type parameter is required", redirectUri);
  if (responseType !== "code") {
    return fail("unsupported_response_type", "unsupported response_type value", redirectUri);
  }
  if (!token.entityId) {
    return fail(
      "access_denied",
      "identity entity must be associated with the request",
      redirectUri,
    );
  }
  const entity = identity.entities.get(token.entityId);
  if (!entity) {
    return fail(
      "access_denied",
      "identity entity associated with the request not found",
      redirectUri,
    );
  }
  if (!identity.assigned(entity, client)) {
    return fail(
      "access_denied",
      "identity entity not authorized by client assignment",
      redirectUri,
    );
  }
  const challenge = params.code_challenge;
  if (challenge === undefined && client.clientType === "public") {
    return fail("invalid_request", "PKCE is required for public clients", redirectUri);
  }
  let method: "plain" | "S256" | undefined;
  if (challenge !== undefined) {
    const asked = params.code_challenge_method || "plain";
    if (asked !== "plain" && asked !== "S256") {
      return fail("invalid_request", "invalid code_challenge_method", redirectUri);
    }
    if (challenge.length < 43 || challenge.length > 128) {
      return fail("invalid_request", "invalid code_challenge", redirectUri);
    }
    method = asked;
  }
  if (params.max_age !== undefined) {
    const maxAge = Number(params.max_age);
    if (!Number.isInteger(maxAge) || maxAge < 1) {
      return fail("invalid_request", "max_age must be greater than zero", redirectUri);
    }
    if ((state.clock.now() - token.issuedAt) / 1000 > maxAge) {
      return fail(
        "max_age_violation",
        "active re-authentication is required by max_age",
        redirectUri,
      );
    }
  }
  const code = base62(32);
  const now = state.clock.now();
  for (const [old, entry] of identity.codes) {
    if (now - entry.createdAt >= AUTH_CODE_TTL_MS) identity.codes.delete(old);
  }
  identity.codes.set(code, {
    provider: providerName,
    clientId,
    entityId: entity.id,
    redirectUri,
    nonce: params.nonce ?? "",
    scopes,
    ...(challenge !== undefined ? { codeChallenge: challenge, codeChallengeMethod: method } : {}),
    createdAt: now,
  });
  return { status: 200, body: { code, state: requestState }, redirectUri };
}

function paramsOf(req: EmulatorRequest): Record<string, string | undefined> {
  if (req.method === "GET") return Object.fromEntries(req.url.searchParams);
  const type = String(req.headers["content-type"] ?? "");
  if (type.includes("application/x-www-form-urlencoded")) {
    return Object.fromEntries(new URLSearchParams(req.body.toString("utf8")));
  }
  const body = jsonBody(req);
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(body)) {
    if (value === undefined || value === null) continue;
    out[key] = typeof value === "string" ? value : String(value);
  }
  return out;
}

function authorizeEndpoint(ctx: ApiContext): EmulatorResponse {
  const namespace = ctx.params[0] || ctx.namespace;
  const result = authorize(
    ctx.state,
    ctx.params[1] as string,
    namespace,
    ctx.token as VaultToken,
    paramsOf(ctx.req),
  );
  return raw(result.status, result.body);
}

const tokenError = (error: string, description: string): EmulatorResponse => {
  const status = error === "invalid_client" ? 401 : error === "server_error" ? 500 : 400;
  return raw(
    status,
    { error, error_description: description },
    {
      "cache-control": "no-store",
      pragma: "no-cache",
      ...(error === "invalid_client" ? { "www-authenticate": "Basic" } : {}),
    },
  );
};

function basicAuth(req: EmulatorRequest): { id: string; secret: string } | undefined {
  const header = String(req.headers.authorization ?? "");
  if (!/^basic /i.test(header)) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon === -1) return undefined;
  // As Go's Request.BasicAuth (which Vault uses): no further decoding.
  return { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

const sameText = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

function challengeOf(verifier: string, method: "plain" | "S256"): string {
  return method === "plain" ? verifier : createHash("sha256").update(verifier).digest("base64url");
}

/** Vault's token endpoint: an authorization code (and PKCE verifier) for an ID token. */
function tokenEndpoint(ctx: ApiContext): EmulatorResponse {
  const { state } = ctx;
  const { identity } = state;
  const provider = flowProvider(ctx);
  if (!provider) return tokenError("invalid_request", "provider not found");
  let params: Record<string, string | undefined>;
  try {
    params = paramsOf(ctx.req);
  } catch (error) {
    if (error instanceof BadRequest) return tokenError("invalid_request", error.message);
    throw error;
  }
  const basic = basicAuth(ctx.req);
  const clientId = basic?.id ?? params.client_id ?? "";
  if (clientId === "") return tokenError("invalid_request", "client_id parameter is required");
  const secret = basic?.secret ?? params.client_secret ?? "";
  const client = identity.clientById(clientId);
  if (!client) return tokenError("invalid_client", "client failed to authenticate");
  if (client.clientType === "confidential" && !sameText(client.clientSecret ?? "", secret)) {
    return tokenError("invalid_client", "client failed to authenticate");
  }
  if (!allowsClient(provider, clientId)) {
    return tokenError("invalid_client", "client is not authorized to use the provider");
  }
  const key = identity.key(client.key);
  if (!key) return tokenError("server_error", `client key "${client.key}" not found`);
  if (!key.allowedClientIds.includes("*") && !key.allowedClientIds.includes(clientId)) {
    return tokenError("invalid_client", "client is not authorized to use the key");
  }
  const grantType = params.grant_type ?? "";
  if (grantType === "") return tokenError("invalid_request", "grant_type parameter is required");
  if (grantType !== "authorization_code") {
    return tokenError("unsupported_grant_type", "unsupported grant_type value");
  }
  const code = params.code ?? "";
  if (code === "") return tokenError("invalid_request", "code parameter is required");
  const entry = identity.codes.get(code);
  identity.codes.delete(code); // single use, whatever happens next
  if (!entry || state.clock.now() - entry.createdAt >= AUTH_CODE_TTL_MS) {
    return tokenError("invalid_grant", "authorization grant is invalid or expired");
  }
  if (entry.clientId !== clientId) {
    return tokenError("invalid_grant", "authorization code was not issued to the client");
  }
  if (entry.provider !== provider.name) {
    return tokenError("invalid_grant", "authorization code was not issued by the provider");
  }
  const redirectUri = params.redirect_uri ?? "";
  if (redirectUri === "")
    return tokenError("invalid_request", "redirect_uri parameter is required");
  if (entry.redirectUri !== redirectUri) {
    return tokenError(
      "invalid_grant",
      "redirect_uri does not match the redirect_uri used in the authorization request",
    );
  }
  const entity = identity.entities.get(entry.entityId);
  if (!entity)
    return tokenError("invalid_request", "identity entity associated with the request not found");
  if (!identity.assigned(entity, client)) {
    return tokenError("invalid_request", "identity entity not authorized by client assignment");
  }
  const verifier = params.code_verifier ?? "";
  const usedPkce = entry.codeChallenge !== undefined;
  if (!usedPkce && client.clientType === "public") {
    return tokenError("invalid_request", "PKCE is required for public clients");
  }
  if (!usedPkce && verifier !== "") {
    return tokenError("invalid_request", "unexpected code_verifier for token exchange");
  }
  if (usedPkce && verifier === "")
    return tokenError("invalid_request", "expected code_verifier for token exchange");
  if (
    usedPkce &&
    !sameText(
      challengeOf(verifier, entry.codeChallengeMethod ?? "plain"),
      entry.codeChallenge as string,
    )
  ) {
    return tokenError("invalid_grant", "invalid code_verifier for token exchange");
  }
  const now = state.clock.now();
  for (const [old, access] of identity.accessTokens) {
    if (access.expiresAt <= now) identity.accessTokens.delete(old);
  }
  const accessToken = `b.${base62(48)}`;
  identity.accessTokens.set(accessToken, {
    provider: provider.name,
    clientId,
    entityId: entity.id,
    scopes: entry.scopes,
    expiresAt: now + client.accessTokenTtl * 1000,
  });
  const iat = Math.floor(now / 1000);
  const claims: Record<string, unknown> = {
    ...scopeClaims(state, entity, provider, entry.scopes),
    iss: issuerOf(state, provider),
    sub: entity.id,
    aud: clientId,
    iat,
    exp: iat + client.idTokenTtl,
    namespace: provider.namespace || "root",
    at_hash: halfHash(accessToken),
    c_hash: halfHash(code),
    ...(entry.nonce ? { nonce: entry.nonce } : {}),
  };
  return raw(
    200,
    {
      token_type: "Bearer",
      access_token: accessToken,
      id_token: signJwt(key, claims),
      expires_in: client.accessTokenTtl,
    },
    { "cache-control": "no-store", pragma: "no-cache" },
  );
}

function scopeClaims(
  state: VaultState,
  entity: Entity,
  provider: OidcProvider,
  scopes: string[],
): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  for (const name of scopes) {
    if (!provider.scopesSupported.includes(name)) continue;
    const scope = state.identity.scopes.get(name);
    if (!scope || scope.template === "") continue;
    try {
      Object.assign(claims, JSON.parse(fillTemplate(scope.template, entity)));
    } catch {
      // A template that does not fill to JSON adds nothing, as Vault logs and goes on.
    }
  }
  return claims;
}

function userinfo(ctx: ApiContext): EmulatorResponse {
  const { identity } = ctx.state;
  const fail = (status: number, error: string, description: string) =>
    raw(
      status,
      { error, error_description: description },
      status === 403
        ? {}
        : {
            "www-authenticate": `Bearer error="${error}",error_description="${description}"`,
          },
    );
  const provider = flowProvider(ctx);
  if (!provider) return fail(400, "invalid_request", "provider not found");
  const header = String(ctx.req.headers.authorization ?? "");
  if (!/^bearer /i.test(header))
    return fail(401, "invalid_token", "access token must be sent as a Bearer token");
  const access = identity.accessTokens.get(header.slice(7).trim());
  if (!access || access.expiresAt <= ctx.state.clock.now()) {
    return fail(401, "invalid_token", "access token is expired");
  }
  const client = identity.clientById(access.clientId);
  if (!client) return fail(403, "access_denied", "client not found");
  const entity = identity.entities.get(access.entityId);
  if (!entity)
    return fail(403, "access_denied", "identity entity associated with the request not found");
  if (!identity.assigned(entity, client)) {
    return fail(403, "access_denied", "identity entity not authorized by client assignment");
  }
  if (!allowsClient(provider, access.clientId)) {
    return fail(403, "access_denied", "client is not authorized to use the provider");
  }
  return raw(200, { ...scopeClaims(ctx.state, entity, provider, access.scopes), sub: entity.id });
}

const FLOW = (suffix: string) =>
  new RegExp(`^(?:(?<ns>.+)\\/)?identity\\/oidc\\/provider\\/${NAME}\\/${suffix}$`);

/** identity/oidc/*: Vault as an OIDC identity provider (the flow, then its objects). */
export const OIDC_PROVIDER_ENDPOINTS: readonly Endpoint[] = [
  {
    pattern: FLOW("\\.well-known\\/openid-configuration"),
    verbs: { read: { operation: "oidc-provider.discovery", run: discovery, open: true } },
  },
  {
    pattern: FLOW("\\.well-known\\/keys"),
    verbs: { read: { operation: "oidc-provider.keys", run: providerKeys, open: true } },
  },
  {
    pattern: FLOW("authorize"),
    verbs: {
      read: { operation: "oidc-provider.authorize", run: authorizeEndpoint },
      write: {
        operation: "oidc-provider.authorize",
        run: authorizeEndpoint,
        capability: ["update"],
      },
    },
  },
  {
    pattern: FLOW("token"),
    verbs: { write: { operation: "oidc-provider.token", run: tokenEndpoint, open: true } },
  },
  {
    pattern: FLOW("userinfo"),
    verbs: {
      read: { operation: "oidc-provider.userinfo", run: userinfo, open: true },
      write: { operation: "oidc-provider.userinfo", run: userinfo, open: true },
    },
  },
  ...OIDC_OBJECT_ENDPOINTS,
];
