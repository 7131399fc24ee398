import { assertMemoryName } from "./references.js";

/** What tests use to put secrets into (and take them out of) the in-memory provider. */
export interface MemoryStore {
  /**
   * Store a value as a new version (or overwrite the named `version`) and make it current.
   * Returns the version it was stored as; unnamed versions are numbered "1", "2", …
   */
  set(name: string, value: string, options?: { version?: string }): string;
  /** Remove a secret and all its versions; false when there was none. */
  delete(name: string): boolean;
  /** The current value, or a given version; undefined when absent. */
  get(name: string, version?: string): string | undefined;
  /** Names currently stored. */
  names(): string[];
}

interface Entry {
  versions: Map<string, string>;
  current: string;
}

export interface MemoryStoreInternals extends MemoryStore {
  lookup(name: string, version?: string): { value: string; version: string } | undefined;
  has(name: string): boolean;
  clear(): void;
}

export function createMemoryStore(): MemoryStoreInternals {
  const entries = new Map<string, Entry>();

  const lookup = (name: string, version?: string) => {
    const entry = entries.get(name);
    if (!entry) return undefined;
    const wanted = version ?? entry.current;
    const value = entry.versions.get(wanted);
    return value === undefined ? undefined : { value, version: wanted };
  };

  return {
    set(name, value, options = {}) {
      assertMemoryName(name);
      if (typeof value !== "string") throw new TypeError("A memory secret value must be a string.");
      const entry = entries.get(name) ?? { versions: new Map<string, string>(), current: "" };
      let version = options.version;
      if (version === undefined) {
        let n = entry.versions.size + 1;
        while (entry.versions.has(String(n))) n++;
        version = String(n);
      }
      entry.versions.set(version, value);
      entry.current = version;
      entries.set(name, entry);
      return version;
    },
    delete: (name) => entries.delete(name),
    get: (name, version) => lookup(name, version)?.value,
    names: () => [...entries.keys()],
    lookup,
    has: (name) => entries.has(name),
    clear: () => entries.clear(),
  };
}
