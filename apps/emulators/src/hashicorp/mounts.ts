import { randomBytes } from "node:crypto";
import { KvV1Store } from "./kv-v1.js";
import { KvV2Store } from "./kv-v2.js";

export interface KvMount {
  /** With the trailing slash, e.g. "secret/". */
  path: string;
  accessor: string;
  description: string;
  store: KvV1Store | KvV2Store;
}

/** Default mounts of every namespace: `secret/` is KV v2 and `kv/` is KV v1. */
export const DEFAULT_KV_MOUNTS: Record<string, 1 | 2> = { secret: 2, kv: 1 };

export const ROOT_NAMESPACE = "";

/** "team-a/" or "/team-a" → "team-a"; a missing header is the root namespace "". */
export function normalizeNamespace(value: string | string[] | undefined): string {
  const raw = Array.isArray(value) ? value[0] : value;
  return (raw ?? "").replace(/^\/+|\/+$/g, "");
}

/** KV mounts per namespace. A namespace comes into being, with the default mounts, when first used. */
export class NamespaceMounts {
  #namespaces = new Map<string, Map<string, KvMount>>();

  constructor(
    private readonly defaults: Record<string, 1 | 2>,
    private readonly now: () => number,
  ) {}

  #table(namespace: string): Map<string, KvMount> {
    let table = this.#namespaces.get(namespace);
    if (!table) {
      table = new Map();
      this.#namespaces.set(namespace, table);
      for (const [path, version] of Object.entries(this.defaults)) {
        this.#add(table, path, version);
      }
    }
    return table;
  }

  #add(table: Map<string, KvMount>, path: string, version: 1 | 2): KvMount {
    const key = `${path.replace(/^\/+|\/+$/g, "")}/`;
    const mount: KvMount = {
      path: key,
      accessor: `kv_${randomBytes(4).toString("hex")}`,
      description: version === 2 ? "key/value secret storage" : "key/value v1 storage",
      store: version === 2 ? new KvV2Store(this.now) : new KvV1Store(),
    };
    table.set(key, mount);
    return mount;
  }

  /** Add (or replace, emptying it) a KV mount. */
  mount(namespace: string, path: string, version: 1 | 2): KvMount {
    return this.#add(this.#table(namespace), path, version);
  }

  /** Remove a mount and its data; false when there was none. */
  unmount(namespace: string, path: string): boolean {
    return this.#table(namespace).delete(`${path.replace(/^\/+|\/+$/g, "")}/`);
  }

  get(namespace: string, mountPath: string): KvMount | undefined {
    return this.#table(namespace).get(`${mountPath.replace(/^\/+|\/+$/g, "")}/`);
  }

  /** The mount with the longest path that `apiPath` starts with, and the rest of the path. */
  resolve(namespace: string, apiPath: string): { mount: KvMount; rest: string } | undefined {
    let best: KvMount | undefined;
    for (const mount of this.#table(namespace).values()) {
      const matches = apiPath.startsWith(mount.path) || `${apiPath}/` === mount.path;
      if (matches && (!best || mount.path.length > best.path.length)) best = mount;
    }
    return best && { mount: best, rest: apiPath.slice(best.path.length) };
  }

  all(namespace: string): KvMount[] {
    return [...this.#table(namespace).values()];
  }

  clear(): void {
    this.#namespaces.clear();
  }
}
