import type { EmulatorResponse } from "../shared/index.js";
import type { ApiContext, Endpoint } from "./api-route.js";
import { stringField } from "./api-route.js";
import { type AuthMethod, ENABLEABLE_METHODS } from "./auth-methods.js";
import { BadRequest, jsonBody } from "./body.js";
import { envelope, NO_CONTENT, notFound, ok, vaultError } from "./envelope.js";
import { PolicyParseError, parsePolicyText } from "./hcl-policy.js";

/** Vault answers some sys reads with the data both at the top level and under `data`. */
const both = (data: Record<string, unknown>): EmulatorResponse =>
  ok({ ...data, ...envelope(data) });

const POLICY_NAME = /^[\w.@-]+$/;

async function writePolicy(ctx: ApiContext, field: "policy" | "rules"): Promise<EmulatorResponse> {
  const name = (ctx.params[0] as string).toLowerCase();
  const body = jsonBody(ctx.req);
  const text = stringField(body.policy ?? (field === "rules" ? body.rules : undefined), "policy");
  if (text === undefined || text.trim() === "")
    throw new BadRequest("'policy' parameter not supplied or empty");
  if (name === "root") return vaultError(400, 'cannot update "root" policy');
  if (!POLICY_NAME.test(name)) return vaultError(400, `invalid policy name "${name}"`);
  try {
    const policy = await parsePolicyText(text);
    ctx.state.policies.set(name, policy, text);
  } catch (error) {
    if (error instanceof PolicyParseError) return vaultError(400, error.message);
    throw error;
  }
  return NO_CONTENT;
}

function readPolicy(ctx: ApiContext, field: "rules" | "policy"): EmulatorResponse {
  const name = (ctx.params[0] as string).toLowerCase();
  if (name === "root") return both({ name, [field]: "" });
  const stored = ctx.state.policies.get(name);
  if (!stored) return notFound();
  return both({ name, [field]: stored.text });
}

function deletePolicy(ctx: ApiContext): EmulatorResponse {
  const name = (ctx.params[0] as string).toLowerCase();
  if (name === "root" || name === "default") {
    return vaultError(400, `cannot delete "${name}" policy`);
  }
  ctx.state.policies.delete(name);
  return NO_CONTENT;
}

function listPolicies(ctx: ApiContext): EmulatorResponse {
  const names = ctx.state.policies.names();
  return both({ keys: names, policies: names });
}

function authMounts(ctx: ApiContext): EmulatorResponse {
  const map: Record<string, unknown> = {};
  for (const [mount, info] of ctx.state.auth.list()) {
    map[`${mount}/`] = {
      type: info.type,
      description: info.description,
      accessor: info.accessor,
      config: { default_lease_ttl: 0, max_lease_ttl: 0, token_type: "default-service" },
      local: false,
      seal_wrap: false,
      options: null,
    };
  }
  return both(map);
}

const mountPath = (ctx: ApiContext) => (ctx.params[0] as string).replace(/^\/+|\/+$/g, "");

function enableAuth(ctx: ApiContext): EmulatorResponse {
  const path = mountPath(ctx);
  const body = jsonBody(ctx.req);
  const type = stringField(body.type, "type");
  if (!type) return vaultError(400, "plugin not found in the catalog: ");
  if (type === "token") return vaultError(400, "token credential backend cannot be instantiated");
  if (!ENABLEABLE_METHODS.includes(type as AuthMethod)) {
    return vaultError(400, `plugin not found in the catalog: ${type}`);
  }
  const description = stringField(body.description, "description") ?? "";
  if (!ctx.state.auth.enable(path, type as AuthMethod, description)) {
    return vaultError(400, `path is already in use at ${path}/`);
  }
  return NO_CONTENT;
}

function readAuth(ctx: ApiContext): EmulatorResponse {
  const path = mountPath(ctx);
  const info = ctx.state.auth.list().get(path);
  if (!info) return vaultError(400, `No auth engine at ${path}/`);
  return both({
    type: info.type,
    description: info.description,
    accessor: info.accessor,
    config: { default_lease_ttl: 0, max_lease_ttl: 0, token_type: "default-service" },
    local: false,
    seal_wrap: false,
    options: null,
  });
}

function disableAuth(ctx: ApiContext): EmulatorResponse {
  const path = mountPath(ctx);
  if (path === "token") return vaultError(400, "token credential backend cannot be disabled");
  ctx.state.auth.disable(path);
  return NO_CONTENT;
}

/** Paths Vault keeps for itself: no secrets engine may be mounted there. */
const RESERVED_MOUNTS = ["sys", "auth", "identity", "cubbyhole"];

function enableMount(ctx: ApiContext): EmulatorResponse {
  const path = mountPath(ctx);
  const body = jsonBody(ctx.req);
  const type = stringField(body.type, "type") ?? "";
  const options = (body.options ?? {}) as Record<string, unknown>;
  const version = type === "kv-v2" ? "2" : String(options.version ?? "1");
  if (type !== "kv" && type !== "kv-v2") {
    return vaultError(
      400,
      `plugin not found in the catalog: ${type} (the emulator mounts kv only)`,
    );
  }
  if (version !== "1" && version !== "2") return vaultError(400, `invalid kv version "${version}"`);
  if (RESERVED_MOUNTS.includes(path.split("/")[0] as string)) {
    return vaultError(400, `cannot mount at reserved path "${path}/"`);
  }
  if (ctx.state.mounts.get(ctx.namespace, path)) {
    return vaultError(400, `path is already in use at ${path}/`);
  }
  ctx.state.mounts.mount(ctx.namespace, path, version === "2" ? 2 : 1);
  return NO_CONTENT;
}

function disableMount(ctx: ApiContext): EmulatorResponse {
  ctx.state.mounts.unmount(ctx.namespace, mountPath(ctx));
  return NO_CONTENT;
}

/**
 * `GET sys/internal/ui/mounts/<path>`: the mount holding a path, for any token with some access
 * inside it (no policy on the sys path itself, as in Vault); 403 when there is no such mount or
 * no access, so it cannot be used to discover mounts.
 */
function uiMount(ctx: ApiContext): EmulatorResponse {
  const token = ctx.state.tokens.valid(tokenOf(ctx));
  if (!token) return vaultError(403, "permission denied");
  const found = ctx.state.mounts.resolve(ctx.namespace, ctx.params[0] as string);
  if (!found || !ctx.state.policies.hasMountAccess(token.policies, found.mount.path)) {
    return vaultError(403, "permission denied");
  }
  const { mount } = found;
  return ok(
    envelope({
      type: "kv",
      path: mount.path,
      description: mount.description,
      accessor: mount.accessor,
      options: { version: String(mount.store.version) },
      config: { default_lease_ttl: 0, max_lease_ttl: 0, force_no_cache: false },
      local: false,
      seal_wrap: false,
      external_entropy_access: false,
    }),
  );
}

function tokenOf(ctx: ApiContext): string | undefined {
  const value = ctx.req.headers["x-vault-token"];
  return Array.isArray(value) ? value[0] : value;
}

/** `{paths}` or the older `{path}`; Vault strips leading slashes. */
function pathsOf(body: Record<string, unknown>): string[] {
  const raw = body.paths ?? body.path;
  const list =
    typeof raw === "string" ? raw.split(",").map((p) => p.trim()) : Array.isArray(raw) ? raw : [];
  const paths = list.filter((p): p is string => typeof p === "string" && p !== "");
  if (paths.length === 0) throw new BadRequest("missing paths");
  return paths.map((p) => p.replace(/^\/+/, ""));
}

function capabilitiesFor(policies: string[], ctx: ApiContext, paths: string[]): EmulatorResponse {
  const data: Record<string, unknown> = {};
  for (const path of paths) data[path] = ctx.state.policies.capabilities(policies, path);
  if (paths.length === 1) data.capabilities = data[paths[0] as string];
  return both(data);
}

function capabilitiesSelf(ctx: ApiContext): EmulatorResponse {
  return capabilitiesFor(ctx.token?.policies ?? [], ctx, pathsOf(jsonBody(ctx.req)));
}

function capabilitiesOfToken(ctx: ApiContext): EmulatorResponse {
  const body = jsonBody(ctx.req);
  const other = ctx.state.tokens.valid(stringField(body.token, "token"));
  if (!other) return vaultError(400, "invalid token");
  return capabilitiesFor(other.policies, ctx, pathsOf(body));
}

/** sys/ endpoints for policies, auth mounts and capabilities. */
export const SYS_ADMIN_ENDPOINTS: readonly Endpoint[] = [
  {
    pattern: /^sys\/policy$/,
    verbs: {
      read: { operation: "sys.policy.list", run: listPolicies },
      list: { operation: "sys.policy.list", run: listPolicies },
    },
  },
  {
    pattern: /^sys\/policy\/(.+)$/,
    verbs: {
      read: { operation: "sys.policy.read", run: (ctx) => readPolicy(ctx, "rules") },
      write: { operation: "sys.policy.write", run: (ctx) => writePolicy(ctx, "rules") },
      delete: { operation: "sys.policy.delete", run: deletePolicy },
    },
  },
  {
    pattern: /^sys\/policies\/acl$/,
    verbs: { list: { operation: "sys.policy.list", run: listPolicies } },
  },
  {
    pattern: /^sys\/policies\/acl\/(.+)$/,
    verbs: {
      read: { operation: "sys.policy.read", run: (ctx) => readPolicy(ctx, "policy") },
      write: { operation: "sys.policy.write", run: (ctx) => writePolicy(ctx, "policy") },
      delete: { operation: "sys.policy.delete", run: deletePolicy },
    },
  },
  {
    pattern: /^sys\/auth$/,
    verbs: { read: { operation: "sys.auth.list", run: authMounts } },
  },
  {
    pattern: /^sys\/auth\/(.+)$/,
    verbs: {
      read: { operation: "sys.auth.read", run: readAuth, sudo: true },
      write: { operation: "sys.auth.enable", run: enableAuth, sudo: true },
      delete: { operation: "sys.auth.disable", run: disableAuth, sudo: true },
    },
  },
  {
    pattern: /^sys\/mounts\/(.+)$/,
    verbs: {
      write: { operation: "sys.mounts.enable", run: enableMount },
      delete: { operation: "sys.mounts.disable", run: disableMount },
    },
  },
  {
    pattern: /^sys\/internal\/ui\/mounts\/(.+)$/,
    verbs: { read: { operation: "sys.internal-ui-mounts", run: uiMount, open: true } },
  },
  {
    pattern: /^sys\/capabilities-self$/,
    verbs: {
      write: { operation: "sys.capabilities-self", run: capabilitiesSelf, capability: ["update"] },
    },
  },
  {
    pattern: /^sys\/capabilities$/,
    verbs: {
      write: { operation: "sys.capabilities", run: capabilitiesOfToken, capability: ["update"] },
    },
  },
];
