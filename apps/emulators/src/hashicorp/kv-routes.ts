import type { EmulatorRequest, EmulatorResponse } from "../shared/index.js";
import { BadRequest, isObject, jsonBody } from "./body.js";
import { envelope, NO_CONTENT, notFound, ok, vaultError } from "./envelope.js";
import type { KvV1Store } from "./kv-v1.js";
import { CasMismatch, type KvV2Store } from "./kv-v2.js";
import type { VaultRoute } from "./route.js";

type KvRoute = Extract<VaultRoute, { mount: unknown; key: string; namespace: string }>;

/** KV v1 leases are reported as 32 days, like a default Vault server. */
const KV1_LEASE_SECONDS = 2_764_800;

export function handleKv(route: KvRoute, req: EmulatorRequest): EmulatorResponse {
  const { store } = route.mount;
  if (route.operation === "kv.list") {
    const keys = store.list(route.key);
    return keys.length === 0 ? notFound() : ok(envelope({ keys }, { mountType: "kv" }));
  }
  return store.version === 1 ? handleV1(store, route, req) : handleV2(store, route, req);
}

function handleV1(store: KvV1Store, route: KvRoute, req: EmulatorRequest): EmulatorResponse {
  switch (route.operation) {
    case "kv.read": {
      const data = store.get(route.key);
      if (!data) return notFound();
      return ok(envelope(data, { mountType: "kv", leaseDuration: KV1_LEASE_SECONDS }));
    }
    case "kv.write": {
      const body = jsonBody(req);
      if (Object.keys(body).length === 0) throw new BadRequest("missing data fields");
      store.put(route.key, body);
      return NO_CONTENT;
    }
    default:
      store.delete(route.key);
      return NO_CONTENT;
  }
}

function versionsOf(body: Record<string, unknown>): number[] {
  const versions = body.versions;
  if (!Array.isArray(versions) || versions.length === 0) {
    throw new BadRequest("no version number provided");
  }
  return versions.map(Number).filter(Number.isInteger);
}

function handleV2(store: KvV2Store, route: KvRoute, req: EmulatorRequest): EmulatorResponse {
  const { key } = route;
  const meta = { mountType: "kv" };
  switch (route.operation) {
    case "kv.read": {
      const raw = req.url.searchParams.get("version");
      const version = raw === null ? undefined : Number(raw);
      if (version !== undefined && !Number.isInteger(version)) {
        throw new BadRequest("invalid version");
      }
      const found = store.read(key, version);
      if (found.kind === "missing") return notFound();
      if (found.kind === "gone") {
        return { status: 404, body: envelope({ data: null, metadata: found.metadata }, meta) };
      }
      return ok(envelope({ data: found.data, metadata: found.metadata }, meta));
    }
    case "kv.write":
    case "kv.patch": {
      const body = jsonBody(req);
      if (!isObject(body.data)) throw new BadRequest("no data provided");
      const options = isObject(body.options) ? body.options : {};
      const cas = options.cas === undefined ? undefined : Number(options.cas);
      let data = body.data;
      if (route.operation === "kv.patch") {
        const current = store.read(key);
        if (current.kind !== "found") return notFound();
        data = mergePatch(current.data, body.data);
      }
      try {
        return ok(envelope(store.write(key, data, cas), meta));
      } catch (error) {
        if (error instanceof CasMismatch) return vaultError(400, error.message);
        throw error;
      }
    }
    case "kv.delete":
      store.softDelete(key);
      return NO_CONTENT;
    case "kv.delete-versions":
      store.softDelete(key, versionsOf(jsonBody(req)));
      return NO_CONTENT;
    case "kv.undelete":
      store.undelete(key, versionsOf(jsonBody(req)));
      return NO_CONTENT;
    case "kv.destroy":
      store.destroy(key, versionsOf(jsonBody(req)));
      return NO_CONTENT;
    case "kv.read-metadata": {
      const metadata = store.metadata(key);
      return metadata ? ok(envelope(metadata, meta)) : notFound();
    }
    case "kv.delete-metadata":
      store.deleteAll(key);
      return NO_CONTENT;
    default:
      return vaultError(405, "unsupported operation");
  }
}

/** JSON merge patch, one level deep as Vault's KV v2 patch does: null removes a key. */
function mergePatch(
  current: Record<string, unknown>,
  patch: Record<string, unknown>,
): Record<string, unknown> {
  const merged = { ...current };
  for (const [name, value] of Object.entries(patch)) {
    if (value === null) delete merged[name];
    else merged[name] = value;
  }
  return merged;
}
