/**
 * The vault document: everything the encrypted vault file holds. One JSON document,
 * encrypted as a whole, so secrets, links, integration credentials and settings change
 * together atomically.
 */
export interface VaultDocument {
  formatVersion: 1;
  secrets: Record<string, SecretRecord>;
  integrations: Record<string, IntegrationRecord>;
  settings: VaultSettings;
  /**
   * Recent renames, old name → current name (at most `MAX_RENAMES`, oldest dropped), so that a
   * reference still using an old name is reported with the new one. Absent in older files.
   */
  renames?: Record<string, string>;
  /**
   * Remembered grants of vault access to a collection's scripts (Postman's grant prompt, for
   * runs with nobody to ask), by collection id. Only a holder of the vault key writes them.
   * Absent in older files.
   */
  scriptGrants?: Record<string, ScriptGrant>;
}

/** A remembered grant: this collection, exactly as it was when granted, may use pm.vault. */
export interface ScriptGrant {
  /** The collection's id (Postman's `info._postman_id`, else its name). */
  collection: string;
  /** The collection's name when granted, for lists. */
  label: string;
  /** SHA-256 (hex) of the collection as granted: any change needs a new grant. */
  digest: string;
  grantedAt: string;
}

/** How many renames the vault remembers for "it was renamed to …" hints. */
export const MAX_RENAMES = 100;

export interface SecretRecord {
  name: string;
  /** A local value. Absent when the secret is linked. */
  value?: string;
  /** A link to a secret in an external vault. Absent for a local secret. */
  link?: LinkRecord;
  /** Hosts this secret may be sent to; empty means any. */
  allowedDomains: string[];
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface LinkRecord {
  /** Integration id (see IntegrationRecord.id). */
  integration: string;
  /** The provider reference in its canonical one-string form, as the plugin formatted it. */
  reference: string;
  /** Pick one key of a JSON value. Extraction is done by core. */
  jsonKey?: string;
  /** A provider version (AWS VersionId/VersionStage, Azure version id, Vault KV v2 version). */
  version?: string;
  /** The provider's own link options (`linkOptions`, e.g. AWS `roleArn`), as it normalised them. */
  options?: Record<string, string>;
  linkedAt: string;
}

export type IntegrationScope = "personal" | "team";
export type IntegrationStatus = "connected" | "auth-expired" | "disconnected";

export interface IntegrationRecord {
  /** Integration id; by default the provider id ("aws"), one organisation per provider. */
  id: string;
  /** Provider plugin id. */
  provider: string;
  scope: IntegrationScope;
  /** Auth method id the plugin declared. */
  authMethod: string;
  /** Non-secret settings (region, vault URL, address, namespace…). */
  settings: Record<string, unknown>;
  /** Secret auth material the plugin returned from `authenticate`, stored encrypted. */
  credentials?: Record<string, unknown>;
  /** ISO time the credentials stop working; absent when they do not expire. */
  expiresAt?: string;
  status: IntegrationStatus;
  statusReason?: string;
  /**
   * Team integrations bound to a setup the team published in the provider (join, or an
   * admin's connect): where it lives. The record follows that setup on use.
   */
  team?: {
    location: string;
    /** When the published setup was last confirmed (ISO); recent enough, cached values serve. */
    checkedAt?: string;
  };
  connectedAt: string;
  updatedAt: string;
}

export interface VaultSettings {
  /** Minutes a fetched value stays cached. 0 disables caching. Default 60. */
  cacheTtlMinutes: number;
  /**
   * Minutes past its cache time a value may still be served when its provider fails with an
   * outage-class error (stale-if-error). 0 or absent: never. Default 0.
   */
  staleIfErrorMinutes?: number;
  /**
   * Where integration credentials live: in this (encrypted) vault file ("vault", the default)
   * or only in the memory of the process that signed in ("memory": the agent), as Postman
   * keeps them. Memory-only sign-ins are gone when that process ends.
   */
  signIns?: "vault" | "memory";
}

export const DEFAULT_SETTINGS: VaultSettings = { cacheTtlMinutes: 60 };

export function emptyDocument(): VaultDocument {
  return {
    formatVersion: 1,
    secrets: nameMap(),
    integrations: nameMap(),
    settings: { ...DEFAULT_SETTINGS },
  };
}

/**
 * A map from names to values with no prototype, so that any name (`__proto__`, `constructor`,
 * `toString`) is an ordinary own key: assigning it stores it, reading an absent one gives
 * undefined. The vault keeps `secrets`, `integrations` and `renames` in these.
 */
export function nameMap<T>(from?: Readonly<Record<string, T>>): Record<string, T> {
  const map = Object.create(null) as Record<string, T>;
  if (from !== undefined) {
    for (const key of Object.keys(from)) {
      Object.defineProperty(map, key, {
        value: from[key],
        writable: true,
        enumerable: true,
        configurable: true,
      });
    }
  }
  return map;
}

/** `document` with its name-keyed maps turned into prototype-free maps (see `nameMap`). */
export function withNameMaps(document: VaultDocument): VaultDocument {
  document.secrets = nameMap(document.secrets);
  document.integrations = nameMap(document.integrations);
  if (document.renames !== undefined) document.renames = nameMap(document.renames);
  if (document.scriptGrants !== undefined) document.scriptGrants = nameMap(document.scriptGrants);
  return document;
}
