import type { KeyObject } from "node:crypto";
import type { EmulatorRequest, EmulatorResponse } from "../shared/index.js";
import { type LoginSettings, tokenOptionsFor } from "./auth-methods.js";
import { jsonBody } from "./body.js";
import { envelope, ok, vaultError } from "./envelope.js";
import { keysFor } from "./jwt-discovery.js";
import { checkClaims, decodeJwt, signedBy } from "./jwt-verify.js";
import type { VaultRoute } from "./route.js";
import type { VaultState } from "./state.js";
import type { TokenOptions } from "./tokens.js";

type LoginRoute = Extract<VaultRoute, { username: string }>;

/** The settings a login issues a token with, and the alias its entity is found by. */
type Issue = (settings: LoginSettings, extra: TokenOptions, alias: string) => EmulatorResponse;

/**
 * AppRole, userpass and JWT logins: no token needed; a good login answers with an `auth` block.
 * Each login finds (or makes) the identity entity of its alias on the mount, as Vault does.
 */
export async function handleLogin(
  state: VaultState,
  route: LoginRoute,
  req: EmulatorRequest,
): Promise<EmulatorResponse> {
  const body = jsonBody(req);
  const issue: Issue = (settings, extra, alias) => {
    const entity = state.identity.entityFor(route.mount, alias);
    const token = state.tokens.create({
      ...tokenOptionsFor(settings),
      ...extra,
      entityId: entity.id,
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
      return issue(role, { displayName: "approle", meta: { role_name: roleName } }, role.roleId);
    }
    case "login.userpass": {
      const user = state.auth.user(route.mount, route.username, String(body.password ?? ""));
      if (!user) return vaultError(400, "invalid username or password");
      return issue(
        user,
        { displayName: `${route.mount}-${user.username}`, meta: { username: user.username } },
        user.username,
      );
    }
    default:
      return jwtLogin(state, route.mount, body, issue);
  }
}

/**
 * JWT login as Vault does it: role (or the mount's default_role), then the signature against
 * `jwt_validation_pubkeys`, or the JWKS of the `oidc_discovery_url` issuer (whose `iss` the
 * token must carry), skipped when the mount has neither (an emulator leniency); then
 * exp/nbf/iat, bound issuer/subject/audiences, and the user claim.
 */
async function jwtLogin(
  state: VaultState,
  mount: string,
  body: Record<string, unknown>,
  issue: Issue,
): Promise<EmulatorResponse> {
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
  if (config.discovery) {
    if (jwt.claims.iss !== config.discovery.issuer) {
      return vaultError(
        400,
        `error validating token: oidc: id token issued by a different provider, expected "${config.discovery.issuer}" got "${String(jwt.claims.iss ?? "")}"`,
      );
    }
    let keys: KeyObject[];
    try {
      keys = await keysFor(config.discovery, jwt.kid);
    } catch (error) {
      return vaultError(
        400,
        `error validating token: fetching keys oidc: ${(error as Error).message}`,
      );
    }
    if (!keys.some((key) => signedBy(jwt, key))) {
      return vaultError(400, "error validating token: failed to verify id token signature");
    }
  } else if (config.keys.length > 0 && !config.keys.some((key) => signedBy(jwt, key))) {
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
  return issue(
    role,
    { displayName: `${mount}-${checked.user}`, meta: { role: roleName } },
    checked.user,
  );
}
