import { randomBytes } from "node:crypto";

export interface SecretVersion {
  version: string;
  value: string;
  contentType?: string;
  tags?: Record<string, string>;
  enabled: boolean;
  /** Unix seconds, as the service sends them. */
  created: number;
  updated: number;
  notBefore?: number;
  expires?: number;
}

export interface SeedSecretOptions {
  enabled?: boolean;
  contentType?: string;
  tags?: Record<string, string>;
  /** Unix seconds. */
  notBefore?: number;
  /** Unix seconds. */
  expires?: number;
}

/** One seeded secret, as accepted by `startAzureEmulator({ secrets })`. */
export interface AzureSecretSeed extends SeedSecretOptions {
  name: string;
  value: string;
}

/** Secret names allowed by Key Vault: 1–127 letters, digits and dashes. */
export const SECRET_NAME = /^[0-9a-zA-Z-]{1,127}$/;

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Versions of every secret in one vault, oldest first; names compare case-insensitively. */
export class SecretStore {
  #secrets = new Map<string, { name: string; versions: SecretVersion[] }>();

  set(name: string, value: string, options: SeedSecretOptions = {}): SecretVersion {
    const key = name.toLowerCase();
    const entry = this.#secrets.get(key) ?? { name, versions: [] };
    const now = nowSeconds();
    const version: SecretVersion = {
      version: randomBytes(16).toString("hex"),
      value,
      enabled: options.enabled ?? true,
      created: now,
      updated: now,
      ...(options.contentType !== undefined ? { contentType: options.contentType } : {}),
      ...(options.tags !== undefined ? { tags: options.tags } : {}),
      ...(options.notBefore !== undefined ? { notBefore: options.notBefore } : {}),
      ...(options.expires !== undefined ? { expires: options.expires } : {}),
    };
    entry.versions.push(version);
    this.#secrets.set(key, entry);
    return version;
  }

  /** The secret's stored name (original case), or undefined. */
  nameOf(name: string): string | undefined {
    return this.#secrets.get(name.toLowerCase())?.name;
  }

  latest(name: string): SecretVersion | undefined {
    return this.#secrets.get(name.toLowerCase())?.versions.at(-1);
  }

  get(name: string, version: string): SecretVersion | undefined {
    return this.#secrets.get(name.toLowerCase())?.versions.find((v) => v.version === version);
  }

  versions(name: string): SecretVersion[] | undefined {
    return this.#secrets.get(name.toLowerCase())?.versions;
  }

  /** Every secret with its latest version, sorted by name. */
  list(): { name: string; latest: SecretVersion }[] {
    return [...this.#secrets.values()]
      .map((s) => ({ name: s.name, latest: s.versions.at(-1) as SecretVersion }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Enable or disable one version (default: the latest); false when absent. */
  setEnabled(name: string, enabled: boolean, version?: string): boolean {
    const target = version ? this.get(name, version) : this.latest(name);
    if (!target) return false;
    target.enabled = enabled;
    target.updated = nowSeconds();
    return true;
  }

  clear(): void {
    this.#secrets.clear();
  }
}
