import type { EmulatorRequest, EmulatorResponse } from "../shared/index.js";
import { envelope, ok } from "./envelope.js";
import { normalizeNamespace } from "./mounts.js";
import type { VaultState } from "./state.js";

export const VAULT_VERSION = "1.17.0";
const CLUSTER = { cluster_name: "vault-emulator", cluster_id: "00000000-emulator-cluster" };

/** sys/health: status by state, overridable with ?sealedcode=, ?standbycode=, ?activecode=. */
export function healthResponse(
  req: EmulatorRequest,
  now: number,
  state: { sealed?: boolean; standby?: boolean },
): EmulatorResponse {
  const query = req.url.searchParams;
  const code = (name: string, fallback: number) => {
    const value = Number(query.get(name));
    return Number.isInteger(value) && value > 0 ? value : fallback;
  };
  const standbyOk = query.get("standbyok") === "true";
  let status = code("activecode", 200);
  if (state.sealed) status = code("sealedcode", 503);
  else if (state.standby) status = standbyOk ? 200 : code("standbycode", 429);
  return {
    status,
    body: {
      initialized: true,
      sealed: state.sealed ?? false,
      standby: state.standby ?? false,
      performance_standby: false,
      replication_performance_mode: "disabled",
      replication_dr_mode: "disabled",
      server_time_utc: Math.floor(now / 1000),
      version: VAULT_VERSION,
      ...CLUSTER,
    },
  };
}

export function sealStatus(sealed: boolean): EmulatorResponse {
  return ok({
    type: "shamir",
    initialized: true,
    sealed,
    t: 1,
    n: 1,
    progress: 0,
    nonce: "",
    version: VAULT_VERSION,
    build_date: "2024-06-10T10:11:34Z",
    migration: false,
    recovery_seal: false,
    storage_type: "inmem",
    ...(sealed ? {} : CLUSTER),
  });
}

const BUILTIN_MOUNTS = {
  "cubbyhole/": { type: "cubbyhole", description: "per-token private secret storage" },
  "identity/": { type: "identity", description: "identity store" },
  "sys/": {
    type: "system",
    description: "system endpoints used for control, policy and debugging",
  },
};

/** sys/mounts: the map at the top level and under `data`, as Vault answers. */
export function mountsResponse(state: VaultState, req: EmulatorRequest): EmulatorResponse {
  const namespace = normalizeNamespace(req.headers["x-vault-namespace"]);
  const map: Record<string, unknown> = {};
  const config = { default_lease_ttl: 0, force_no_cache: false, max_lease_ttl: 0 };
  for (const [path, info] of Object.entries(BUILTIN_MOUNTS)) {
    map[path] = {
      ...info,
      accessor: `${info.type}_emulator`,
      config,
      local: false,
      options: null,
      seal_wrap: false,
    };
  }
  for (const mount of state.mounts.all(namespace)) {
    map[mount.path] = {
      type: "kv",
      description: mount.description,
      accessor: mount.accessor,
      config,
      local: false,
      options: { version: String(mount.store.version) },
      seal_wrap: false,
    };
  }
  return ok({ ...map, ...envelope(map) });
}
