import type { EmulatorRequest, EmulatorResponse } from "../shared/index.js";
import { BadRequest } from "./body.js";
import { parseDuration } from "./duration.js";
import { normalizeNamespace } from "./mounts.js";
import type { Capability } from "./policies.js";
import type { VaultState } from "./state.js";
import type { VaultToken } from "./tokens.js";

/** The verb of a request as Vault's ACL sees it. */
export type Verb = "read" | "list" | "write" | "delete";

export function verbOf(req: EmulatorRequest): Verb | undefined {
  const list = req.url.searchParams.get("list");
  if (req.method === "LIST" || (req.method === "GET" && (list === "1" || list === "true"))) {
    return "list";
  }
  if (req.method === "GET") return "read";
  if (req.method === "POST" || req.method === "PUT") return "write";
  if (req.method === "DELETE") return "delete";
  return undefined;
}

export interface ApiContext {
  state: VaultState;
  req: EmulatorRequest;
  /** The caller's valid token; undefined only on open endpoints. */
  token: VaultToken | undefined;
  /** Regex groups of the endpoint's pattern. */
  params: string[];
  apiPath: string;
  namespace: string;
}

export type ApiHandler = (ctx: ApiContext) => EmulatorResponse | Promise<EmulatorResponse>;

export interface ApiAction {
  operation: string;
  run: ApiHandler;
  /** No token needed (OIDC discovery, token endpoint …). */
  open?: boolean;
  /**
   * Capabilities that allow it; default by verb. A write is Vault's update, or, on a path with
   * an existence check (`exists`), create when the object does not exist yet.
   */
  capability?: Capability[];
  /** Vault's existence check: whether the object a write names exists (update) or not (create). */
  exists?: (ctx: ApiContext) => boolean;
  /** A root-protected path: `sudo` is needed too. */
  sudo?: boolean;
}

export interface Endpoint {
  pattern: RegExp;
  verbs: Partial<Record<Verb, ApiAction>>;
}

/** A matched endpoint action: what the handler authorizes and runs. */
export interface ApiRoute {
  operation: string;
  apiPath: string;
  policyPath: string;
  capability: Capability[];
  sudo: boolean;
  open: boolean;
  params: string[];
  run: ApiHandler;
  exists?: (ctx: ApiContext) => boolean;
}

const DEFAULT_CAPABILITY: Record<Verb, Capability[]> = {
  read: ["read"],
  list: ["list"],
  write: ["update"],
  delete: ["delete"],
};

/**
 * The first endpoint whose pattern matches the path (trailing slashes removed): its action for
 * the request's verb, `"unsupported"` when it has none, or undefined when nothing matches.
 */
export function matchEndpoint(
  endpoints: readonly Endpoint[],
  req: EmulatorRequest,
  apiPath: string,
): ApiRoute | "unsupported" | undefined {
  const trimmed = apiPath.replace(/\/+$/, "");
  for (const endpoint of endpoints) {
    const match = endpoint.pattern.exec(trimmed);
    if (!match) continue;
    const verb = verbOf(req);
    const action = verb && endpoint.verbs[verb];
    if (!verb || !action) return "unsupported";
    // Policies are relative to the namespace: a namespace given in the path is not part of it.
    const ns = match.groups?.ns;
    const relative = ns ? trimmed.slice(ns.length + 1) : trimmed;
    return {
      operation: action.operation,
      apiPath,
      policyPath: verb === "list" ? `${relative}/` : relative,
      capability: action.capability ?? DEFAULT_CAPABILITY[verb],
      sudo: action.sudo ?? false,
      open: action.open ?? false,
      params: match.slice(1).map((p) => p ?? ""),
      run: action.run,
      ...(verb === "write" && action.exists ? { exists: action.exists } : {}),
    };
  }
  return undefined;
}

export function namespaceOf(req: EmulatorRequest): string {
  return normalizeNamespace(req.headers["x-vault-namespace"]);
}

/** Vault's comma-string-slice fields: a list, or one comma-separated string. */
export function stringList(value: unknown, field: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") {
    return value
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "");
  }
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) {
    return [...new Set(value as string[])];
  }
  throw new BadRequest(`error converting input for field "${field}": expected a list of strings`);
}

/** A duration field in seconds (number, numeric string or "1h"). */
export function durationField(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const seconds = parseDuration(value);
  if (seconds === undefined) {
    throw new BadRequest(`error converting input for field "${field}": invalid duration`);
  }
  return seconds;
}

export function stringField(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") {
    throw new BadRequest(`error converting input for field "${field}": expected a string`);
  }
  return value;
}
