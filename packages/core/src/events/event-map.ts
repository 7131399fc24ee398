import type { UnresolvedReason } from "../resolver/types.js";

/**
 * Every event vaultlink emits, with its payload. Payloads name secrets, integrations and
 * references; they never carry a secret value or a credential.
 */
export type VaultEvents = {
  SecretCreated: { name: string; linked: boolean };
  SecretUpdated: { name: string; fields: Array<"value" | "allowedDomains" | "enabled"> };
  SecretRenamed: { from: string; to: string };
  SecretDeleted: { name: string };
  SecretLinked: {
    name: string;
    integration: string;
    provider: string;
    reference: string;
    jsonKey?: string;
    version?: string;
    relinked: boolean;
  };
  SecretUnlinked: { name: string; integration: string };
  SecretResolved: {
    name: string;
    source: "local" | "cache" | "provider";
    integration?: string;
  };
  SecretUnresolved: { name: string; reason: UnresolvedReason };
  CacheExpired: { integration: string; reference: string; ageMs: number };
  /**
   * A value past its cache time was served because its provider failed with an outage-class
   * error (unreachable, timed out, throttled, 5xx) inside the vault's stale-if-error window.
   */
  StaleValueServed: {
    integration: string;
    reference: string;
    /** How long ago the value was fetched. */
    ageMs: number;
    /** How long ago its cache time ended. */
    staleForMs: number;
    /** The provider's failure code (UNREACHABLE, THROTTLED or PROVIDER_ERROR for a 5xx). */
    code: string;
  };
  /**
   * A hot value (read from the cache since its last fetch) was fetched again shortly before its
   * cache time ended, by a long-lived host's refresh-ahead (the agent).
   */
  ValueRefreshedAhead: { integration: string; reference: string };
  CacheReset: { entries: number };
  CachePurged: { integration: string; entries: number };
  AuthExpired: { integration: string; provider: string; reason: string };
  IntegrationConnected: { integration: string; provider: string; scope: "personal" | "team" };
  IntegrationReauthenticated: { integration: string; provider: string };
  IntegrationDisconnected: {
    integration: string;
    provider: string;
    unresolved: string[];
    /** "team" when an admin removed the team setup and this vault noticed on use. */
    by?: "you" | "team";
  };
  SettingsChanged: { key: string };
  VaultReset: Record<string, never>;
  /** A handler threw; emitted so hosts can log it. Never re-emitted for its own failures. */
  HandlerError: { event: string; message: string };
};

export type VaultEventName = keyof VaultEvents;
