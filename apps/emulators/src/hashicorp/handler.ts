import type { EmulatorRequest, EmulatorResponse } from "../shared/index.js";
import { namespaceOf } from "./api-route.js";
import { BadRequest } from "./body.js";
import { notFound, permissionDenied, sealedError, vaultError } from "./envelope.js";
import { handleKv } from "./kv-routes.js";
import { handleLogin } from "./login-routes.js";
import { handleAuthorize, handleAuthUrl, handleCallback } from "./oidc.js";
import { handleProviderUi } from "./oidc-provider-ui.js";
import { IDP_AUTHORIZE_PATH, routeOf, type VaultRoute } from "./route.js";
import type { VaultState } from "./state.js";
import { healthResponse, mountsResponse, sealStatus } from "./sys-routes.js";
import { handleToken } from "./token-routes.js";
import type { VaultToken } from "./tokens.js";

function tokenHeader(req: EmulatorRequest): string | undefined {
  const value = req.headers["x-vault-token"];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Answer one Vault API request. Order as in Vault: sealed check, unauthenticated endpoints
 * (health, seal status, logins, the OIDC flows), then the token, then the token's policies.
 * The emulated identity provider's page is not part of Vault and answers even when sealed.
 */
export async function handleVaultRequest(
  state: VaultState,
  req: EmulatorRequest,
): Promise<EmulatorResponse> {
  try {
    return await dispatch(state, req);
  } catch (error) {
    if (error instanceof BadRequest) return vaultError(400, error.message);
    throw error;
  }
}

/** Token-self endpoints and the policy path and capability each needs. */
const TOKEN_SELF: Record<string, { path: string; capability: ("read" | "update" | "create")[] }> = {
  "token.lookup-self": { path: "auth/token/lookup-self", capability: ["read", "update"] },
  "token.renew-self": { path: "auth/token/renew-self", capability: ["update"] },
  "token.revoke-self": { path: "auth/token/revoke-self", capability: ["update"] },
  "token.create": { path: "auth/token/create", capability: ["create", "update"] },
};

async function dispatch(state: VaultState, req: EmulatorRequest): Promise<EmulatorResponse> {
  const route = routeOf(state, req);
  const now = state.clock.now();
  if (route.operation === "oidc.authorize") return handleAuthorize(state, req);
  if (route.apiPath === IDP_AUTHORIZE_PATH) return vaultError(405, "unsupported operation");
  if (route.operation === "sys.health") return healthResponse(req, now, { sealed: state.sealed });
  if (route.operation === "sys.seal-status") return sealStatus(state.sealed);
  if (state.sealed) return sealedError();
  if (route.operation === "oidc-provider.ui-authorize" && "provider" in route) {
    return handleProviderUi(state, req, route.provider, route.namespace);
  }
  if (route.operation.startsWith("login.") && "username" in route) {
    return handleLogin(state, route, req);
  }
  if (route.operation === "oidc.auth_url" && "oidcMount" in route) {
    return handleAuthUrl(state, route.oidcMount, req);
  }
  if (route.operation === "oidc.callback" && "oidcMount" in route) {
    return handleCallback(state, route.oidcMount, req, route.apiPath);
  }
  if ("api" in route && route.open) return runApi(state, req, route, undefined);
  const token = state.tokens.valid(tokenHeader(req));
  if (!token) return permissionDenied();
  if ("api" in route) {
    const capability = route.exists
      ? route.exists(contextOf(state, req, route, token))
        ? (["update"] as const)
        : (["create"] as const)
      : route.capability;
    if (!state.policies.allows(token.policies, route.policyPath, [...capability], route)) {
      return permissionDenied();
    }
    return runApi(state, req, route, token);
  }
  switch (route.operation) {
    case "unsupported":
      return vaultError(405, "unsupported operation");
    case "unknown":
      return vaultError(404, `no handler for route "${route.apiPath}". route entry not found.`);
    case "sys.mounts":
      if (!state.policies.allows(token.policies, "sys/mounts", "read")) return permissionDenied();
      return mountsResponse(state, req);
    case "token.lookup-self":
    case "token.renew-self":
    case "token.revoke-self":
    case "token.create": {
      const rule = TOKEN_SELF[route.operation] as (typeof TOKEN_SELF)[string];
      if (!state.policies.allows(token.policies, rule.path, rule.capability)) {
        return permissionDenied();
      }
      return handleToken(state, route.operation, token, req);
    }
  }
  if (!("mount" in route) || !("policyPath" in route)) return notFound();
  // Vault's existence check: writing a new secret needs create, changing one needs update.
  const capability =
    route.operation === "kv.write"
      ? route.mount.store.has(route.key)
        ? (["update"] as const)
        : (["create"] as const)
      : route.capability;
  if (!state.policies.allows(token.policies, route.policyPath, [...capability])) {
    return permissionDenied();
  }
  return handleKv(route, req);
}

type ApiVaultRoute = Extract<VaultRoute, { api: true }>;

function contextOf(
  state: VaultState,
  req: EmulatorRequest,
  route: ApiVaultRoute,
  token: VaultToken | undefined,
) {
  return {
    state,
    req,
    token,
    params: route.params,
    apiPath: route.apiPath,
    namespace: namespaceOf(req),
  };
}

function runApi(
  state: VaultState,
  req: EmulatorRequest,
  route: ApiVaultRoute,
  token: VaultToken | undefined,
) {
  return route.run(contextOf(state, req, route, token));
}
