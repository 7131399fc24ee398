import type { EmulatorRequest, EmulatorResponse } from "../shared/index.js";
import { type LoginSettings, tokenOptionsFor } from "./auth-methods.js";
import { jsonBody } from "./body.js";
import { envelope, ok, vaultError } from "./envelope.js";
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
    default: {
      if (typeof body.role !== "string" || body.role === "") {
        return vaultError(400, "missing role");
      }
      const role = state.auth.jwtRole(route.mount, body.role);
      if (!role) return vaultError(400, `role "${body.role}" could not be found`);
      const claims = decodeJwt(body.jwt);
      if (typeof claims === "string") return vaultError(400, claims);
      if (typeof claims.exp === "number" && claims.exp * 1000 <= state.clock.now()) {
        return vaultError(400, "error validating token: token is expired");
      }
      return issue(role, {
        displayName: `${route.mount}-${claims.sub as string}`,
        meta: { role: role.role },
      });
    }
  }
}

/**
 * The claims of a compact JWT, or an error message. The signature is NOT checked: the emulator
 * trusts any well-formed token whose payload has a string `sub`.
 */
function decodeJwt(jwt: unknown): Record<string, unknown> | string {
  if (typeof jwt !== "string" || jwt === "") return "missing token";
  const parts = jwt.split(".");
  if (parts.length !== 3) return "error validating token: token is malformed";
  try {
    const claims = JSON.parse(Buffer.from(parts[1] as string, "base64url").toString("utf8"));
    if (claims === null || typeof claims !== "object") throw new Error("not an object");
    if (typeof claims.sub !== "string" || claims.sub === "") {
      return "error validating token: missing sub claim";
    }
    return claims as Record<string, unknown>;
  } catch {
    return "error validating token: token is malformed";
  }
}
