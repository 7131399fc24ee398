import { vaultTime } from "./clock.js";
import type { SecretData } from "./kv-v1.js";
import { childrenOf } from "./listing.js";

interface StoredVersion {
  data: SecretData;
  createdAt: number;
  deletedAt: number | null;
  destroyed: boolean;
}

interface Entry {
  versions: Map<number, StoredVersion>;
  current: number;
  createdAt: number;
  updatedAt: number;
  customMetadata: Record<string, string> | null;
  maxVersions: number;
  casRequired: boolean;
}

export type VersionRead =
  | { kind: "missing" }
  | { kind: "gone"; metadata: Record<string, unknown> }
  | { kind: "found"; data: SecretData; metadata: Record<string, unknown> };

export class CasMismatch extends Error {
  constructor() {
    super("check-and-set parameter did not match the current version");
  }
}

/** KV version 2: versioned entries with soft delete, undelete and destroy. */
export class KvV2Store {
  readonly version = 2;
  #entries = new Map<string, Entry>();

  constructor(private readonly now: () => number) {}

  has(key: string): boolean {
    return this.#entries.has(key);
  }

  #versionMeta(entry: Entry, n: number): Record<string, unknown> {
    const v = entry.versions.get(n) as StoredVersion;
    return {
      created_time: vaultTime(v.createdAt),
      custom_metadata: entry.customMetadata,
      deletion_time: v.deletedAt === null ? "" : vaultTime(v.deletedAt),
      destroyed: v.destroyed,
      version: n,
    };
  }

  /** Store a new version; `cas` must equal the current version (0: the key must not exist). */
  write(key: string, data: SecretData, cas?: number): Record<string, unknown> {
    const now = this.now();
    let entry = this.#entries.get(key);
    const current = entry?.current ?? 0;
    if (cas !== undefined && cas !== current) throw new CasMismatch();
    if (!entry) {
      entry = {
        versions: new Map(),
        current: 0,
        createdAt: now,
        updatedAt: now,
        customMetadata: null,
        maxVersions: 0,
        casRequired: false,
      };
      this.#entries.set(key, entry);
    }
    const n = entry.current + 1;
    entry.versions.set(n, {
      data: structuredClone(data),
      createdAt: now,
      deletedAt: null,
      destroyed: false,
    });
    entry.current = n;
    entry.updatedAt = now;
    return this.#versionMeta(entry, n);
  }

  /** Version `version` (0 or absent: the current one). */
  read(key: string, version?: number): VersionRead {
    const entry = this.#entries.get(key);
    const n = version && version > 0 ? version : entry?.current;
    const stored = n === undefined ? undefined : entry?.versions.get(n);
    if (!entry || !stored || n === undefined) return { kind: "missing" };
    const metadata = this.#versionMeta(entry, n);
    if (stored.deletedAt !== null || stored.destroyed) return { kind: "gone", metadata };
    return { kind: "found", data: structuredClone(stored.data), metadata };
  }

  /** Mark versions deleted (default: the current one). Unknown keys are ignored, like Vault. */
  softDelete(key: string, versions?: number[]): void {
    this.#mark(key, versions, (v) => {
      if (v.deletedAt === null) v.deletedAt = this.now();
    });
  }

  undelete(key: string, versions: number[]): void {
    this.#mark(key, versions, (v) => {
      if (!v.destroyed) v.deletedAt = null;
    });
  }

  destroy(key: string, versions: number[]): void {
    this.#mark(key, versions, (v) => {
      v.destroyed = true;
      v.data = {};
    });
  }

  #mark(key: string, versions: number[] | undefined, change: (v: StoredVersion) => void): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    for (const n of versions ?? [entry.current]) {
      const stored = entry.versions.get(n);
      if (stored) change(stored);
    }
    entry.updatedAt = this.now();
  }

  deleteAll(key: string): void {
    this.#entries.delete(key);
  }

  metadata(key: string): Record<string, unknown> | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    const versions: Record<string, unknown> = {};
    for (const n of entry.versions.keys()) {
      const { custom_metadata: _c, version: _v, ...rest } = this.#versionMeta(entry, n);
      versions[String(n)] = rest;
    }
    return {
      cas_required: entry.casRequired,
      created_time: vaultTime(entry.createdAt),
      current_version: entry.current,
      custom_metadata: entry.customMetadata,
      delete_version_after: "0s",
      max_versions: entry.maxVersions,
      oldest_version: 0,
      updated_time: vaultTime(entry.updatedAt),
      versions,
    };
  }

  list(folder: string): string[] {
    return childrenOf(this.#entries.keys(), folder);
  }
}
