import type { EmulatorRequest, EmulatorResponse } from "../shared/index.js";
import { type LoginSettings, tokenOptionsFor } from "./auth-methods.js";
import { jsonBody } from "./body.js";
import { envelope, ok, vaultError } from "./envelope.js";
import { checkClaims, decodeJwt, signedBy } from "./jwt-verify.js";
import type { VaultRoute } from "./route.js";
import type { VaultState } from "./state.js";
import type { TokenOptions } from "./tokens.js";

type LoginRoute = Extract<VaultRoute, { username: string }>;

/** AppRole, userpass and JWT logins: no token needed; a good login answers with an `auth` block. */
export function handleLogin(
  state: VaultState,
  route: LoginRoute,
  req: EmulatorRequest,
): EmulatorResponse {
  const body = jsonBody(req);
  const issue = (settings: LoginSettings, extra: TokenOptions) => {
    const token = state.tokens.create({
      ...tokenOptionsFor(settings),
      ...extra,
      path: route.apiPath.replace(/\/+$/, ""),
    });
    return ok(envelope(null, { auth: state.tokens.authBlock(token) }));
  };
  switch (route.operation) {
    case "login.approle": {
      if (typeof body.role_id !== "string" || body.role_id === "") {
        return vaultError(400, "missing role_id");
      }
      const role = state.auth.appRole(route.mount, body.role_id, String(body.secret_id ?? ""));
      if (!role) return vaultError(400, "invalid role or secret ID");
      const roleName = role.roleName ?? role.roleId;
      return issue(role, { displayName: "approle", meta: { role_name: roleName } });
    }
    case "login.userpass": {
      const user = state.auth.user(route.mount, route.username, String(body.password ?? ""));
      if (!user) return vaultError(400, "invalid username or password");
      return issue(user, {
        displayName: `${route.mount}-${user.username}`,
        meta: { username: user.username },
      });
    }
    default:
      return jwtLogin(state, route.mount, body, issue);
  }
}

/**
 * JWT login as Vault does it with static keys: role (or the mount's default_role), then the
 * signature against `jwt_validation_pubkeys` (skipped when the mount has none: an emulator
 * leniency), then exp/nbf/iat, bound issuer/subject/audiences, and the user claim.
 */
function jwtLogin(
  state: VaultState,
  mount: string,
  body: Record<string, unknown>,
  issue: (settings: LoginSettings, extra: TokenOptions) => EmulatorResponse,
): EmulatorResponse {
  const config = state.auth.jwtMount(mount);
  const roleName =
    typeof body.role === "string" && body.role !== "" ? body.role : config.defaultRole;
  if (!roleName) return vaultError(400, "missing role");
  const role = state.auth.jwtRole(mount, roleName);
  if (!role) return vaultError(400, `role "${roleName}" could not be found`);
  if (role.roleType === "oidc") return vaultError(400, "role with oidc role_type is not allowed");
  if (typeof body.jwt !== "string" || body.jwt === "") return vaultError(400, "missing token");
  const jwt = decodeJwt(body.jwt);
  if (typeof jwt === "string") return vaultError(400, jwt);
  if (config.keys.length > 0 && !config.keys.some((key) => signedBy(jwt, key))) {
    return vaultError(400, "no known key successfully validated the token signature");
  }
  const checked = checkClaims(jwt.claims, {
    boundAudiences: role.boundAudiences ?? [],
    userClaim: role.userClaim ?? "sub",
    now: state.clock.now(),
    ...(role.boundSubject ? { boundSubject: role.boundSubject } : {}),
    ...(config.boundIssuer ? { boundIssuer: config.boundIssuer } : {}),
  });
  if (typeof checked === "string") return vaultError(400, checked);
  return issue(role, { displayName: `${mount}-${checked.user}`, meta: { role: roleName } });
}
