import type { EmulatorResponse } from "../shared/index.js";
import type { ApiContext, Endpoint } from "./api-route.js";
import { durationField, stringField, stringList } from "./api-route.js";
import type { JwtRoleSpec, OidcRoleSpec } from "./auth-methods.js";
import { jsonBody } from "./body.js";
import { envelope, NO_CONTENT, notFound, ok, vaultError } from "./envelope.js";
import { discoverIssuer } from "./jwt-discovery.js";
import { parsePublicKey } from "./jwt-verify.js";

const noHandler = (ctx: ApiContext) =>
  vaultError(404, `no handler for route "${ctx.apiPath}". route entry not found.`);

/** Run `handle` only when the mount in params[0] is of the wanted plugin. */
function onPlugin(
  plugin: "userpass" | "jwt",
  handle: (ctx: ApiContext, mount: string) => EmulatorResponse | Promise<EmulatorResponse>,
) {
  return (ctx: ApiContext) => {
    const mount = ctx.params[0] as string;
    const method = ctx.state.auth.methodOf(mount);
    const matches = plugin === "jwt" ? ctx.state.auth.isJwtPlugin(mount) : method === plugin;
    return matches ? handle(ctx, mount) : noHandler(ctx);
  };
}

/** token_policies (or the older policies), token_ttl, token_max_ttl of a role or user body. */
function tokenSettings(
  body: Record<string, unknown>,
  previous: { policies?: string[]; ttlSeconds?: number; maxTtlSeconds?: number } = {},
) {
  const policies =
    stringList(body.token_policies, "token_policies") ??
    stringList(body.policies, "policies") ??
    previous.policies ??
    [];
  const ttl = durationField(body.token_ttl ?? body.ttl, "token_ttl") ?? previous.ttlSeconds;
  const maxTtl =
    durationField(body.token_max_ttl ?? body.max_ttl, "token_max_ttl") ?? previous.maxTtlSeconds;
  return {
    policies,
    ...(ttl === undefined || ttl === 0 ? {} : { ttlSeconds: ttl }),
    ...(maxTtl === undefined || maxTtl === 0 ? {} : { maxTtlSeconds: maxTtl }),
  };
}

function tokenFields(spec: { policies?: string[]; ttlSeconds?: number; maxTtlSeconds?: number }) {
  return {
    token_policies: spec.policies ?? [],
    policies: spec.policies ?? [],
    token_ttl: spec.ttlSeconds ?? 0,
    token_max_ttl: spec.maxTtlSeconds ?? 0,
    token_type: "default",
  };
}

const writeUser = onPlugin("userpass", (ctx, mount) => {
  const username = (ctx.params[1] as string).toLowerCase();
  const body = jsonBody(ctx.req);
  const existing = ctx.state.auth.userByName(mount, username);
  const password = stringField(body.password, "password") ?? existing?.password;
  if (!password) return vaultError(400, "missing password");
  ctx.state.auth.addUser({ mount, username, password, ...tokenSettings(body, existing) });
  return NO_CONTENT;
});

const readUser = onPlugin("userpass", (ctx, mount) => {
  const user = ctx.state.auth.userByName(mount, (ctx.params[1] as string).toLowerCase());
  return user ? ok(envelope(tokenFields(user))) : notFound();
});

const deleteEntry = (plugin: "userpass" | "jwt") =>
  onPlugin(plugin, (ctx, mount) => {
    ctx.state.auth.deleteEntry(mount, (ctx.params[1] as string).toLowerCase());
    return NO_CONTENT;
  });

const listEntries = (plugin: "userpass" | "jwt") =>
  onPlugin(plugin, (ctx, mount) => {
    const keys = ctx.state.auth.entryNames(mount);
    return keys.length === 0 ? notFound() : ok(envelope({ keys }));
  });

const writeConfig = onPlugin("jwt", async (ctx, mount) => {
  const body = jsonBody(ctx.req);
  const discoveryUrl = stringField(body.oidc_discovery_url, "oidc_discovery_url") ?? "";
  const jwksUrl = stringField(body.jwks_url, "jwks_url") ?? "";
  const pems = stringList(body.jwt_validation_pubkeys, "jwt_validation_pubkeys") ?? [];
  const set = [discoveryUrl !== "", jwksUrl !== "", pems.length > 0].filter(Boolean).length;
  if (set !== 1) {
    return vaultError(
      400,
      "exactly one of 'jwt_validation_pubkeys', 'jwks_url' or 'oidc_discovery_url' must be set",
    );
  }
  if (jwksUrl !== "") return vaultError(400, "jwks_url is not supported by the emulator");
  const boundIssuer = stringField(body.bound_issuer, "bound_issuer") ?? "";
  const defaultRole = stringField(body.default_role, "default_role") ?? "";
  if (pems.length > 0) {
    try {
      pems.forEach(parsePublicKey);
    } catch (error) {
      return vaultError(400, (error as Error).message);
    }
    ctx.state.auth.configureJwt({
      mount,
      jwtValidationPubkeys: pems,
      ...(boundIssuer ? { boundIssuer } : {}),
      ...(defaultRole ? { defaultRole } : {}),
    });
    return NO_CONTENT;
  }
  let discovery: Awaited<ReturnType<typeof discoverIssuer>>;
  try {
    discovery = await discoverIssuer(discoveryUrl, {
      ...(ctx.state.tlsCert ? { ca: ctx.state.tlsCert } : {}),
    });
  } catch (error) {
    return vaultError(400, `error checking oidc discovery URL: ${(error as Error).message}`);
  }
  ctx.state.auth.configureJwt({
    mount,
    discovery,
    ...(boundIssuer ? { boundIssuer } : {}),
    ...(defaultRole ? { defaultRole } : {}),
  });
  return NO_CONTENT;
});

const readConfig = onPlugin("jwt", (ctx, mount) => {
  const config = ctx.state.auth.jwtMount(mount);
  return ok(
    envelope({
      oidc_discovery_url: config.discovery?.url ?? "",
      oidc_discovery_ca_pem: "",
      oidc_client_id: "",
      jwks_url: "",
      jwt_validation_pubkeys: config.pubkeyPems ?? [],
      jwt_supported_algs: [],
      bound_issuer: config.boundIssuer ?? "",
      default_role: config.defaultRole ?? "",
      provider_config: {},
      namespace_in_state: true,
    }),
  );
});

const writeRole = onPlugin("jwt", (ctx, mount) => {
  const role = (ctx.params[1] as string).toLowerCase();
  const body = jsonBody(ctx.req);
  const previous = ctx.state.auth.jwtRole(mount, role);
  const roleType = stringField(body.role_type, "role_type") ?? previous?.roleType ?? "oidc";
  if (roleType !== "jwt" && roleType !== "oidc") {
    return vaultError(400, `invalid 'role_type': ${roleType}`);
  }
  const userClaim = stringField(body.user_claim, "user_claim") ?? previous?.userClaim;
  if (!userClaim) return vaultError(400, "a user claim must be defined on the role");
  const before = previous?.roleType === "jwt" ? previous : undefined;
  const boundAudiences =
    stringList(body.bound_audiences, "bound_audiences") ?? before?.boundAudiences ?? [];
  const boundSubject = stringField(body.bound_subject, "bound_subject") ?? before?.boundSubject;
  const settings = tokenSettings(body, previous);
  if (roleType === "jwt") {
    if (boundAudiences.length === 0 && !boundSubject && body.bound_claims === undefined) {
      return vaultError(
        400,
        "must have at least one bound constraint when creating/updating a role",
      );
    }
    const spec: JwtRoleSpec = {
      mount,
      role,
      userClaim,
      boundAudiences,
      ...(boundSubject ? { boundSubject } : {}),
      ...settings,
    };
    ctx.state.auth.addJwtRole(spec);
    return NO_CONTENT;
  }
  const allowedRedirectUris =
    stringList(body.allowed_redirect_uris, "allowed_redirect_uris") ??
    (previous?.roleType === "oidc" ? previous.allowedRedirectUris : []);
  if (allowedRedirectUris.length === 0) {
    return vaultError(
      400,
      "'allowed_redirect_uris' must be set if 'role_type' is 'oidc' or unspecified.",
    );
  }
  const spec: OidcRoleSpec = { mount, role, userClaim, allowedRedirectUris, ...settings };
  ctx.state.auth.addOidcRole(spec);
  return NO_CONTENT;
});

const readRole = onPlugin("jwt", (ctx, mount) => {
  const role = ctx.state.auth.jwtRole(mount, (ctx.params[1] as string).toLowerCase());
  if (!role) return notFound();
  return ok(
    envelope({
      role_type: role.roleType,
      user_claim: role.userClaim ?? "sub",
      bound_audiences: role.roleType === "jwt" ? (role.boundAudiences ?? []) : [],
      bound_subject: role.roleType === "jwt" ? (role.boundSubject ?? "") : "",
      bound_claims: null,
      allowed_redirect_uris: role.roleType === "oidc" ? role.allowedRedirectUris : [],
      ...tokenFields(role),
    }),
  );
});

/** Users of userpass mounts and the config and roles of JWT/OIDC mounts. */
export const AUTH_ADMIN_ENDPOINTS: readonly Endpoint[] = [
  {
    pattern: /^auth\/(.+)\/users\/([^/]+)$/,
    verbs: {
      read: { operation: "auth.user.read", run: readUser },
      write: {
        operation: "auth.user.write",
        run: writeUser,
        exists: (ctx) =>
          ctx.state.auth.userByName(
            ctx.params[0] as string,
            (ctx.params[1] as string).toLowerCase(),
          ) !== undefined,
      },
      delete: { operation: "auth.user.delete", run: deleteEntry("userpass") },
    },
  },
  {
    pattern: /^auth\/(.+)\/users$/,
    verbs: { list: { operation: "auth.user.list", run: listEntries("userpass") } },
  },
  {
    pattern: /^auth\/(.+)\/config$/,
    verbs: {
      read: { operation: "auth.jwt.config.read", run: readConfig },
      write: { operation: "auth.jwt.config.write", run: writeConfig },
    },
  },
  {
    pattern: /^auth\/(.+)\/role\/([^/]+)$/,
    verbs: {
      read: { operation: "auth.jwt.role.read", run: readRole },
      write: {
        operation: "auth.jwt.role.write",
        run: writeRole,
        exists: (ctx) =>
          ctx.state.auth.jwtRole(
            ctx.params[0] as string,
            (ctx.params[1] as string).toLowerCase(),
          ) !== undefined,
      },
      delete: { operation: "auth.jwt.role.delete", run: deleteEntry("jwt") },
    },
  },
  {
    pattern: /^auth\/(.+)\/role$/,
    verbs: { list: { operation: "auth.jwt.role.list", run: listEntries("jwt") } },
  },
];
