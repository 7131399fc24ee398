import type { EmulatorRequest } from "../shared/index.js";
import { type ApiRoute, type Endpoint, matchEndpoint } from "./api-route.js";
import { AUTH_ADMIN_ENDPOINTS } from "./auth-admin.js";
import { type KvMount, normalizeNamespace } from "./mounts.js";
import { OIDC_PROVIDER_ENDPOINTS } from "./oidc-provider.js";
import type { Capability } from "./policies.js";
import type { VaultState } from "./state.js";
import { SYS_ADMIN_ENDPOINTS } from "./sys-admin.js";

export type KvOperation =
  | "kv.read"
  | "kv.write"
  | "kv.patch"
  | "kv.delete"
  | "kv.list"
  | "kv.read-metadata"
  | "kv.delete-metadata"
  | "kv.delete-versions"
  | "kv.undelete"
  | "kv.destroy";

export type VaultRoute =
  | { operation: "sys.health" | "sys.seal-status" | "sys.mounts"; apiPath: string }
  | {
      operation: "token.lookup-self" | "token.renew-self" | "token.revoke-self" | "token.create";
      apiPath: string;
    }
  | {
      operation: "login.approle" | "login.userpass" | "login.jwt";
      apiPath: string;
      mount: string;
      username: string;
    }
  | { operation: "oidc.auth_url" | "oidc.callback"; apiPath: string; oidcMount: string }
  /** The emulated identity provider's sign-in page (not a Vault path). */
  | { operation: "oidc.authorize"; apiPath: string }
  /** The Vault UI's page for an OIDC provider's authorization endpoint (not under /v1/). */
  | {
      operation: "oidc-provider.ui-authorize";
      apiPath: string;
      namespace: string;
      provider: string;
    }
  | {
      operation: KvOperation;
      apiPath: string;
      namespace: string;
      mount: KvMount;
      /** Secret path inside the mount (without data/ or metadata/). */
      key: string;
      /** Path and capability the token's policies must allow. */
      policyPath: string;
      capability: Capability[];
    }
  | { operation: "unsupported" | "unknown"; apiPath: string }
  /** sys/policy, sys/auth, capabilities, auth method config, identity/oidc … (see api-route.ts). */
  | (ApiRoute & { api: true });

/** Endpoints served through the generic table, in match order. */
const API_ENDPOINTS: readonly Endpoint[] = [
  ...SYS_ADMIN_ENDPOINTS,
  ...AUTH_ADMIN_ENDPOINTS,
  ...OIDC_PROVIDER_ENDPOINTS,
];

const isWrite = (method: string) => method === "POST" || method === "PUT";

function isList(req: EmulatorRequest): boolean {
  const list = req.url.searchParams.get("list");
  return req.method === "LIST" || (req.method === "GET" && (list === "1" || list === "true"));
}

/** Path of the emulated identity provider's authorize page, which auth_url points at. */
export const IDP_AUTHORIZE_PATH = "/idp/authorize";

/** The Vault UI's authorize page of an OIDC provider (what discovery names as its endpoint). */
const UI_AUTHORIZE = /^\/ui\/vault\/(?:(.+?)\/)?identity\/oidc\/provider\/([^/]+)\/authorize\/?$/;

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The API path: the request path without "/v1/", percent-decoded, or undefined off /v1/. */
export function apiPathOf(req: EmulatorRequest): string | undefined {
  const path = req.url.pathname;
  if (!path.startsWith("/v1/")) return undefined;
  try {
    return decodeURIComponent(path.slice(4));
  } catch {
    return path.slice(4);
  }
}

const FIXED: Record<string, Record<string, VaultRoute["operation"]>> = {
  "sys/health": { GET: "sys.health", HEAD: "sys.health" },
  "sys/seal-status": { GET: "sys.seal-status" },
  "sys/mounts": { GET: "sys.mounts" },
  "auth/token/lookup-self": { GET: "token.lookup-self", POST: "token.lookup-self" },
  "auth/token/renew-self": { POST: "token.renew-self", PUT: "token.renew-self" },
  "auth/token/revoke-self": { POST: "token.revoke-self", PUT: "token.revoke-self" },
  "auth/token/create": { POST: "token.create", PUT: "token.create" },
};

/** Work out what a request asks for; its `operation` is also the name used for counting. */
export function routeOf(state: VaultState, req: EmulatorRequest): VaultRoute {
  const apiPath = apiPathOf(req);
  if (apiPath === undefined) {
    const path = req.url.pathname;
    const ui = UI_AUTHORIZE.exec(path);
    if (ui) {
      if (req.method !== "GET" && req.method !== "POST")
        return { operation: "unsupported", apiPath: path };
      return {
        operation: "oidc-provider.ui-authorize",
        apiPath: path,
        namespace: normalizeNamespace(ui[1] ?? ""),
        provider: safeDecode(ui[2] as string),
      };
    }
    if (path === IDP_AUTHORIZE_PATH) {
      return req.method === "GET"
        ? { operation: "oidc.authorize", apiPath: path }
        : { operation: "unsupported", apiPath: path };
    }
    return { operation: "unknown", apiPath: path };
  }
  const trimmed = apiPath.replace(/\/+$/, "");
  const fixed = FIXED[trimmed];
  if (fixed) {
    const operation = fixed[req.method];
    return { operation: operation ?? "unsupported", apiPath } as VaultRoute;
  }
  const api = matchEndpoint(API_ENDPOINTS, req, apiPath);
  if (api === "unsupported") return { operation: "unsupported", apiPath };
  if (api) return { ...api, api: true };
  const oidc = /^auth\/(.+?)\/oidc\/(auth_url|callback)$/.exec(trimmed);
  if (oidc && state.auth.isJwtPlugin(oidc[1] as string)) {
    const oidcMount = oidc[1] as string;
    if (oidc[2] === "auth_url") {
      if (!isWrite(req.method)) return { operation: "unsupported", apiPath };
      return { operation: "oidc.auth_url", apiPath, oidcMount };
    }
    // Vault's POST callback serves only form_post response mode, which the emulator does not use.
    if (req.method !== "GET") return { operation: "unsupported", apiPath };
    return { operation: "oidc.callback", apiPath, oidcMount };
  }
  const login = /^auth\/(.+?)\/login(?:\/([^/]+))?$/.exec(trimmed);
  if (login) {
    const method = state.auth.methodOf(login[1] as string);
    if (!method) return { operation: "unknown", apiPath };
    if (!isWrite(req.method)) return { operation: "unsupported", apiPath };
    const username = login[2] ?? "";
    if ((method === "userpass") !== (username !== "")) return { operation: "unknown", apiPath };
    const operation = method === "oidc" ? "login.jwt" : (`login.${method}` as const);
    return { operation, apiPath, mount: login[1] as string, username };
  }
  return kvRouteOf(state, req, apiPath);
}

function kvRouteOf(state: VaultState, req: EmulatorRequest, apiPath: string): VaultRoute {
  const namespace = normalizeNamespace(req.headers["x-vault-namespace"]);
  const resolved = state.mounts.resolve(namespace, apiPath);
  if (!resolved) return { operation: "unknown", apiPath };
  const { mount, rest } = resolved;
  const list = isList(req);
  const base = { apiPath, namespace, mount };
  const listPath = `${apiPath.replace(/\/+$/, "")}/`;
  if (mount.store.version === 1) {
    const key = rest.replace(/\/+$/, "");
    if (list)
      return { ...base, operation: "kv.list", key, policyPath: listPath, capability: ["list"] };
    const op = kvV1Operation(req.method);
    if (!op || key === "") return { operation: op ? "unknown" : "unsupported", apiPath };
    return { ...base, operation: op, key, policyPath: apiPath, capability: capabilityOf(op) };
  }
  const slash = rest.indexOf("/");
  const section = slash === -1 ? rest : rest.slice(0, slash);
  const key = slash === -1 ? "" : rest.slice(slash + 1).replace(/\/+$/, "");
  if (list && (section === "metadata" || section === "data")) {
    return { ...base, operation: "kv.list", key, policyPath: listPath, capability: ["list"] };
  }
  const op = kvV2Operation(section, req.method);
  if (op === undefined) return { operation: "unknown", apiPath };
  if (op === null) return { operation: "unsupported", apiPath };
  if (key === "") return { operation: "unknown", apiPath };
  return { ...base, operation: op, key, policyPath: apiPath, capability: capabilityOf(op) };
}

function kvV1Operation(method: string): KvOperation | undefined {
  if (method === "GET") return "kv.read";
  if (isWrite(method)) return "kv.write";
  if (method === "DELETE") return "kv.delete";
  return undefined;
}

/** undefined: no such endpoint; null: the endpoint exists but not with this method. */
function kvV2Operation(section: string, method: string): KvOperation | null | undefined {
  const table: Record<string, Record<string, KvOperation>> = {
    data: {
      GET: "kv.read",
      POST: "kv.write",
      PUT: "kv.write",
      PATCH: "kv.patch",
      DELETE: "kv.delete",
    },
    metadata: {
      GET: "kv.read-metadata",
      DELETE: "kv.delete-metadata",
    },
    delete: { POST: "kv.delete-versions", PUT: "kv.delete-versions" },
    undelete: { POST: "kv.undelete", PUT: "kv.undelete" },
    destroy: { POST: "kv.destroy", PUT: "kv.destroy" },
  };
  const methods = table[section];
  if (!methods) return undefined;
  return methods[method] ?? null;
}

function capabilityOf(op: KvOperation): Capability[] {
  switch (op) {
    case "kv.read":
    case "kv.read-metadata":
      return ["read"];
    case "kv.list":
      return ["list"];
    case "kv.patch":
      return ["patch"];
    case "kv.delete":
    case "kv.delete-metadata":
      return ["delete"];
    default:
      return ["create", "update"];
  }
}
