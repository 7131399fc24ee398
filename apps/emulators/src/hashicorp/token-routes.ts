import type { EmulatorRequest, EmulatorResponse } from "../shared/index.js";
import { BadRequest, jsonBody } from "./body.js";
import { parseDuration } from "./duration.js";
import { envelope, NO_CONTENT, ok, vaultError } from "./envelope.js";
import type { VaultState } from "./state.js";
import type { VaultToken } from "./tokens.js";

/** auth/token/* endpoints; `token` is the caller's valid token. */
export function handleToken(
  state: VaultState,
  operation: string,
  token: VaultToken,
  req: EmulatorRequest,
): EmulatorResponse {
  switch (operation) {
    case "token.lookup-self":
      return ok(envelope(state.tokens.describe(token)));
    case "token.renew-self": {
      const body = jsonBody(req);
      const increment = body.increment === undefined ? undefined : parseDuration(body.increment);
      if (body.increment !== undefined && increment === undefined) {
        throw new BadRequest("invalid increment");
      }
      const result = state.tokens.renew(token, increment);
      if (!result.renewed) return vaultError(400, "lease is not renewable");
      const warnings = result.capped
        ? ["TTL of the token was capped at its maximum TTL"]
        : undefined;
      return ok(
        envelope(null, { auth: state.tokens.authBlock(token), ...(warnings ? { warnings } : {}) }),
      );
    }
    case "token.revoke-self":
      state.tokens.revoke(token.id);
      return NO_CONTENT;
    default:
      return createChild(state, token, jsonBody(req));
  }
}

/** auth/token/create: a non-root caller may only hand out policies it holds itself. */
function createChild(
  state: VaultState,
  parent: VaultToken,
  body: Record<string, unknown>,
): EmulatorResponse {
  const asked = Array.isArray(body.policies) ? body.policies.map(String) : parent.policies;
  const isRoot = parent.policies.includes("root");
  const policies = body.no_default_policy === true ? asked : ["default", ...asked];
  if (!isRoot && policies.some((p) => p !== "default" && !parent.policies.includes(p))) {
    return vaultError(400, "child policies must be subset of parent");
  }
  const ttl = parseDuration(body.ttl);
  const maxTtl = parseDuration(body.explicit_max_ttl);
  const child = state.tokens.create({
    policies: policies.filter((p) => p !== "root" || isRoot),
    ...(ttl === undefined ? {} : { ttlSeconds: ttl }),
    ...(maxTtl === undefined ? {} : { maxTtlSeconds: maxTtl }),
    renewable: body.renewable !== false,
    displayName: `token${typeof body.display_name === "string" ? `-${body.display_name}` : ""}`,
  });
  return ok(envelope(null, { auth: state.tokens.authBlock(child) }));
}
