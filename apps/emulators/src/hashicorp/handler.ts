import type { EmulatorRequest, EmulatorResponse } from "../shared/index.js";
import { BadRequest } from "./body.js";
import { notFound, permissionDenied, sealedError, vaultError } from "./envelope.js";
import { handleKv } from "./kv-routes.js";
import { handleLogin } from "./login-routes.js";
import { handleAuthorize, handleAuthUrl, handleCallback } from "./oidc.js";
import { IDP_AUTHORIZE_PATH, routeOf } from "./route.js";
import type { VaultState } from "./state.js";
import { healthResponse, mountsResponse, sealStatus } from "./sys-routes.js";
import { handleToken } from "./token-routes.js";

function tokenHeader(req: EmulatorRequest): string | undefined {
  const value = req.headers["x-vault-token"];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Answer one Vault API request. Order as in Vault: sealed check, unauthenticated endpoints
 * (health, seal status, logins, the OIDC flow), then the token, then the token's policies.
 * The emulated identity provider's page is not part of Vault and answers even when sealed.
 */
export function handleVaultRequest(state: VaultState, req: EmulatorRequest): EmulatorResponse {
  try {
    return dispatch(state, req);
  } catch (error) {
    if (error instanceof BadRequest) return vaultError(400, error.message);
    throw error;
  }
}

function dispatch(state: VaultState, req: EmulatorRequest): EmulatorResponse {
  const route = routeOf(state, req);
  const now = state.clock.now();
  if (route.operation === "oidc.authorize") return handleAuthorize(state, req);
  if (route.apiPath === IDP_AUTHORIZE_PATH) return vaultError(405, "unsupported operation");
  if (route.operation === "sys.health") return healthResponse(req, now, { sealed: state.sealed });
  if (route.operation === "sys.seal-status") return sealStatus(state.sealed);
  if (state.sealed) return sealedError();
  if (route.operation.startsWith("login.") && "username" in route) {
    return handleLogin(state, route, req);
  }
  if (route.operation === "oidc.auth_url" && "oidcMount" in route) {
    return handleAuthUrl(state, route.oidcMount, req);
  }
  if (route.operation === "oidc.callback" && "oidcMount" in route) {
    return handleCallback(state, route.oidcMount, req, route.apiPath);
  }
  const token = state.tokens.valid(tokenHeader(req));
  if (!token) return permissionDenied();
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
    case "token.create":
      return handleToken(state, route.operation, token, req);
  }
  if (!("mount" in route) || !("policyPath" in route)) return notFound();
  if (!state.policies.allows(token.policies, route.policyPath, route.capability)) {
    return permissionDenied();
  }
  return handleKv(route, req);
}
