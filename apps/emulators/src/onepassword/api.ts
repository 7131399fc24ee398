import type { EmulatorRequest, EmulatorResponse } from "../shared/index.js";
import { badRequest, invalidToken, itemNotFound, vaultForbidden, vaultNotFound } from "./errors.js";
import { matches, parseFilter } from "./filter.js";
import { itemFromBody } from "./item-body.js";
import { type ConnectStore, summaryOf } from "./store.js";
import { type ConnectTokens, canRead } from "./tokens.js";

/** A Connect request, once its path is parsed. */
export type ConnectRoute =
  | { op: "health"; kind: "heartbeat" | "health" }
  | { op: "vaults.list" }
  | { op: "vaults.get"; vaultId: string }
  | { op: "items.list" | "items.create"; vaultId: string }
  | { op: "items.get" | "items.update" | "items.delete"; vaultId: string; itemId: string }
  | { op: "unknown" };

export function routeOf(req: EmulatorRequest): ConnectRoute {
  const path = req.url.pathname.replace(/\/+$/, "");
  if (path === "/heartbeat") return { op: "health", kind: "heartbeat" };
  if (path === "/health") return { op: "health", kind: "health" };
  const parts = path.split("/").slice(1).map(decodeURIComponent);
  if (parts[0] !== "v1" || parts[1] !== "vaults") return { op: "unknown" };
  const [vaultId, items, itemId] = parts.slice(2);
  const m = req.method;
  if (vaultId === undefined) return m === "GET" ? { op: "vaults.list" } : { op: "unknown" };
  if (items === undefined) return m === "GET" ? { op: "vaults.get", vaultId } : { op: "unknown" };
  if (items !== "items" || parts.length > 5) return { op: "unknown" };
  if (itemId === undefined) {
    if (m === "GET") return { op: "items.list", vaultId };
    if (m === "POST") return { op: "items.create", vaultId };
    return { op: "unknown" };
  }
  if (m === "GET") return { op: "items.get", vaultId, itemId };
  if (m === "PUT") return { op: "items.update", vaultId, itemId };
  if (m === "DELETE") return { op: "items.delete", vaultId, itemId };
  return { op: "unknown" };
}

function parseBody(req: EmulatorRequest): unknown {
  try {
    return JSON.parse(req.body.toString("utf8"));
  } catch {
    return undefined;
  }
}

/** Answer one Connect API request. */
export function handleConnect(
  store: ConnectStore,
  tokens: ConnectTokens,
  req: EmulatorRequest,
): EmulatorResponse {
  const route = routeOf(req);
  if (route.op === "health") {
    if (route.kind === "heartbeat") {
      return { status: 200, headers: { "content-type": "text/plain" }, body: "." };
    }
    return {
      status: 200,
      body: { name: "1Password Connect API", version: "1.7.3", dependencies: [] },
    };
  }
  const grant = tokens.grantOf(req.headers.authorization);
  if (!grant) return invalidToken();
  if (route.op === "unknown")
    return badRequest(`unsupported request ${req.method} ${req.url.pathname}`);

  const rawFilter = req.url.searchParams.get("filter");
  const filter = rawFilter === null ? undefined : parseFilter(rawFilter);
  if (rawFilter !== null && !filter) return badRequest(`invalid filter: ${rawFilter}`);

  if (route.op === "vaults.list") {
    if (filter?.attr === "tag") return badRequest("vaults can only be filtered by title");
    const visible = [...store.vaults.values()].filter((v) => canRead(grant, v.id));
    const chosen = filter ? visible.filter((v) => matches(filter, v.name)) : visible;
    return {
      status: 200,
      body: chosen.map((v) => ({ ...v, items: store.items.get(v.id)?.size ?? 0 })),
    };
  }

  const vault = store.vaults.get(route.vaultId);
  if (!vault) return vaultNotFound(route.vaultId);
  if (!canRead(grant, vault.id)) return vaultForbidden(vault.id);
  const items = store.items.get(vault.id) ?? new Map();

  switch (route.op) {
    case "vaults.get":
      return { status: 200, body: { ...vault, items: items.size } };
    case "items.list": {
      const all = [...items.values()];
      const chosen = filter ? all.filter((i) => matches(filter, i.title, i.tags)) : all;
      return { status: 200, body: chosen.map(summaryOf) };
    }
    case "items.create": {
      const item = itemFromBody(parseBody(req), vault.id);
      if (typeof item === "string") return badRequest(item);
      return { status: 200, body: store.put(item) };
    }
    default:
      break;
  }
  const existing = items.get(route.itemId);
  if (!existing) return itemNotFound(route.itemId, vault.id);
  if (route.op === "items.get") return { status: 200, body: existing };
  if (route.op === "items.delete") {
    store.remove(vault.id, existing.id);
    return { status: 204 };
  }
  const item = itemFromBody(parseBody(req), vault.id, existing);
  if (typeof item === "string") return badRequest(item);
  return { status: 200, body: store.put(item) };
}
