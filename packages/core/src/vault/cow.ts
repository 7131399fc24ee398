import { nameMap, type VaultDocument } from "./model.js";

/*
 * A copy of a frozen vault document for `update` to change, without cloning 10,000 records
 * up front (structuredClone of a large vault costs 20–70 ms). The top level, `settings` and
 * every other top-level field are deep copies; `secrets` and `integrations` are fresh maps
 * whose records are cloned the first time they are read. To the change function this behaves
 * like a structuredClone: any record it touches is its own mutable copy.
 */

export interface DraftDocument {
  draft: VaultDocument;
  /** The plain document after the change ran: proxies replaced by their targets. */
  finish(): VaultDocument;
}

export function draftDocument(original: VaultDocument): DraftDocument {
  const { secrets, integrations, ...rest } = original;
  const draft = structuredClone(rest) as VaultDocument;
  if (draft.renames !== undefined) draft.renames = nameMap(draft.renames);
  const secretsMap = lazyCloneMap(secrets);
  const integrationsMap = lazyCloneMap(integrations);
  draft.secrets = secretsMap.proxy;
  draft.integrations = integrationsMap.proxy;
  return {
    draft,
    finish() {
      const out = { ...draft } as VaultDocument;
      if (out.secrets === secretsMap.proxy) out.secrets = secretsMap.target;
      if (out.integrations === integrationsMap.proxy) out.integrations = integrationsMap.target;
      return out;
    },
  };
}

function lazyCloneMap<T>(original: Record<string, T>): {
  proxy: Record<string, T>;
  target: Record<string, T>;
} {
  // No prototype, so a record named "__proto__" is stored like any other (see nameMap).
  const target: Record<string, T> = nameMap(original);
  const own = (key: PropertyKey): key is string =>
    typeof key === "string" && Object.hasOwn(target, key);
  const cloneIfShared = (key: string): T | undefined => {
    const value = target[key];
    if (value !== null && typeof value === "object" && value === original[key]) {
      const copy = structuredClone(value) as T;
      target[key] = copy;
      return copy;
    }
    return value;
  };
  const proxy = new Proxy(target, {
    get(t, key, receiver) {
      if (own(key)) return cloneIfShared(key);
      return Reflect.get(t, key, receiver);
    },
    getOwnPropertyDescriptor(t, key) {
      if (own(key)) cloneIfShared(key);
      return Reflect.getOwnPropertyDescriptor(t, key);
    },
  });
  return { proxy, target };
}
