import type { EmulatorRequest, EmulatorResponse } from "../shared/index.js";
import { secretBundle, secretListItem, versionListItem } from "./bundles.js";
import {
  accessDenied,
  badParameter,
  kvError,
  MISSING_TOKEN,
  secretDisabled,
  secretNotFound,
  unauthorized,
} from "./errors.js";
import type { AzureIdentity } from "./identity.js";
import { pageOf, readPage } from "./paging.js";
import type { AzureRoute } from "./routes.js";
import { SECRET_NAME, type SecretStore } from "./store.js";

/** Who may not touch what: every secret, or some names (lower case). */
export class AccessRules {
  denyAll = false;
  readonly deniedNames = new Set<string>();

  denies(name?: string): boolean {
    return this.denyAll || (name !== undefined && this.deniedNames.has(name.toLowerCase()));
  }

  clear(): void {
    this.denyAll = false;
    this.deniedNames.clear();
  }
}

export interface VaultContext {
  store: SecretStore;
  identity: AzureIdentity;
  access: AccessRules;
  vaultName: string;
}

type SecretRoute = Extract<AzureRoute, { kind: "list" | "versions" | "get" | "set" }>;

/**
 * A revoked token gets a claims (CAE) challenge, which makes the SDK ask its credential for a
 * fresh token carrying those claims, as the real service does for revoked sessions.
 */
function claimsChallenge(): EmulatorResponse {
  const claims = Buffer.from(
    JSON.stringify({
      access_token: { nbf: { essential: true, value: String(Math.floor(Date.now() / 1000)) } },
    }),
  ).toString("base64");
  return kvError(401, "Unauthorized", "AKV10000: The access token has been revoked.", undefined, {
    "www-authenticate": `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="insufficient_claims", claims="${claims}"`,
  });
}

/** The bearer check in front of every data-plane request. */
function authenticate(ctx: VaultContext, req: EmulatorRequest): EmulatorResponse | undefined {
  const tenant = ctx.identity.tenantId;
  switch (ctx.identity.check(req.headers.authorization)) {
    case "valid":
      return undefined;
    case "missing":
      return unauthorized(tenant, MISSING_TOKEN);
    case "expired":
      return unauthorized(
        tenant,
        "AKV10000: Request is unauthorized: the access token has expired.",
      );
    case "revoked":
      return claimsChallenge();
    default:
      return unauthorized(
        tenant,
        "AKV10000: Request is unauthorized: the access token is not valid.",
      );
  }
}

function readSetBody(req: EmulatorRequest): Record<string, unknown> | undefined {
  try {
    const parsed = JSON.parse(req.body.toString("utf8")) as unknown;
    return parsed && typeof parsed === "object" ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Answer get / list / versions / set for one vault. */
export function handleSecrets(
  ctx: VaultContext,
  route: SecretRoute,
  req: EmulatorRequest,
): EmulatorResponse {
  const denied = authenticate(ctx, req);
  if (denied) return denied;
  if (!req.url.searchParams.get("api-version")) {
    return badParameter("The 'api-version' query parameter is missing.");
  }
  const origin = req.url.origin;
  if (route.kind === "list") {
    if (ctx.access.denyAll) return accessDenied("readMetadata", ctx.vaultName);
    const page = readPage(req);
    if (!page.ok) return badParameter(page.reason);
    const items = ctx.store.list().map((s) => secretListItem(origin, s.name, s.latest));
    return { status: 200, body: pageOf(req, items, page) };
  }
  if (!SECRET_NAME.test(route.name)) {
    return badParameter(`The secret name '${route.name}' is invalid.`);
  }
  if (route.kind === "set") return setSecret(ctx, route.name, req);
  if (ctx.access.denies(route.name)) {
    return accessDenied(route.kind === "get" ? "getSecret" : "readMetadata", ctx.vaultName);
  }
  const name = ctx.store.nameOf(route.name);
  if (name === undefined) return secretNotFound(route.name);
  if (route.kind === "versions") {
    const page = readPage(req);
    if (!page.ok) return badParameter(page.reason);
    const items = (ctx.store.versions(name) ?? []).map((v) => versionListItem(origin, name, v));
    return { status: 200, body: pageOf(req, items, page) };
  }
  const version = route.version ? ctx.store.get(name, route.version) : ctx.store.latest(name);
  if (!version) return secretNotFound(route.name, route.version);
  if (!version.enabled) return secretDisabled();
  return { status: 200, body: secretBundle(origin, name, version) };
}

function setSecret(ctx: VaultContext, name: string, req: EmulatorRequest): EmulatorResponse {
  if (ctx.access.denies(name)) return accessDenied("setSecret", ctx.vaultName);
  const body = readSetBody(req);
  if (!body || typeof body.value !== "string") {
    return badParameter("The request body must be JSON with a string 'value'.");
  }
  const attrs = (body.attributes ?? {}) as Record<string, unknown>;
  const stored = ctx.store.set(ctx.store.nameOf(name) ?? name, body.value, {
    ...(typeof body.contentType === "string" ? { contentType: body.contentType } : {}),
    ...(body.tags && typeof body.tags === "object"
      ? { tags: body.tags as Record<string, string> }
      : {}),
    ...(typeof attrs.enabled === "boolean" ? { enabled: attrs.enabled } : {}),
    ...(typeof attrs.nbf === "number" ? { notBefore: attrs.nbf } : {}),
    ...(typeof attrs.exp === "number" ? { expires: attrs.exp } : {}),
  });
  return {
    status: 200,
    body: secretBundle(req.url.origin, ctx.store.nameOf(name) ?? name, stored),
  };
}
