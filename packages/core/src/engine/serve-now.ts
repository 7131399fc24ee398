import { linkCacheKey } from "../cache/cache-key.js";
import type { CacheEntry } from "../cache/types.js";
import { isUrlAllowed } from "../resolver/allowed-domains.js";
import type { IntegrationRecord, LinkRecord, SecretRecord, VaultDocument } from "../vault/model.js";

/**
 * How long a confirmed team setup is trusted: within it, a team integration's cached values
 * serve at once; after it, the next use asks the provider again (and follows or disconnects).
 */
export const TEAM_RECHECK_MS = 60_000;

/** Was the team setup of this integration confirmed within TEAM_RECHECK_MS of `now`? */
export function teamCheckedRecently(integration: IntegrationRecord, now: number): boolean {
  const at = integration.team?.checkedAt ? Date.parse(integration.team.checkedAt) : Number.NaN;
  return Number.isFinite(at) && now - at < TEAM_RECHECK_MS && at <= now + 5_000;
}

/**
 * What one secret resolves to when nothing has to be fetched, awaited or reported: the rules
 * of the hot path, shared by the engine's `resolveNow` and the one-shot `readServable`.
 */
export interface Servable {
  secret: SecretRecord;
  /** The fresh cache entry of a linked secret; absent for a local value. */
  entry?: CacheEntry;
}

/**
 * `name` in `doc`, when it can be served at once: enabled, its allowed domains accept `url`,
 * and either a local value or a fresh cached value (`freshEntry(cacheKey, now)`) of a link
 * whose integration is connected and unexpired. Undefined means "take the full path", which
 * also reports every failure with its reason.
 */
export function servableNow(
  doc: VaultDocument,
  name: string,
  url: string | undefined,
  now: number,
  freshEntry: (cacheKey: string, now: number) => CacheEntry | undefined,
  teamCurrent?: (integrationId: string, now: number) => boolean,
): Servable | undefined {
  const secret = Object.hasOwn(doc.secrets, name) ? doc.secrets[name] : undefined;
  if (secret === undefined || !secret.enabled) return undefined;
  if (secret.allowedDomains.length > 0 && !isUrlAllowed(secret.allowedDomains, url)) {
    return undefined;
  }
  if (secret.link === undefined) return secret.value ? { secret } : undefined;
  const entry = freshLinkEntry(secret.link, doc, now, freshEntry, teamCurrent);
  return entry === undefined ? undefined : { secret, entry };
}

/**
 * The cached value of a link when it may be served right now: caching on, integration
 * connected and unexpired, entry fresh. A team integration's value also needs the team's setup
 * confirmed within the last minute (stored in the record, or `teamCurrent` in this process), so
 * an admin's disconnect reaches every member within a minute. Otherwise undefined.
 */
export function freshLinkEntry(
  link: LinkRecord,
  doc: VaultDocument,
  now: number,
  freshEntry: (cacheKey: string, now: number) => CacheEntry | undefined,
  teamCurrent?: (integrationId: string, now: number) => boolean,
): CacheEntry | undefined {
  if (doc.settings.cacheTtlMinutes <= 0) return undefined;
  const integration = doc.integrations[link.integration];
  if (integration === undefined || integration.status !== "connected") return undefined;
  if (
    integration.team !== undefined &&
    !teamCheckedRecently(integration, now) &&
    !teamCurrent?.(integration.id, now)
  )
    return undefined;
  if (integration.expiresAt !== undefined && expiryOf(integration) <= now) return undefined;
  return freshEntry(linkCacheKey(link), now);
}

const expiries = new WeakMap<IntegrationRecord, number>();
/** The expiry time of an integration record in ms, parsed once per (frozen) record. */
export function expiryOf(integration: IntegrationRecord): number {
  let t = expiries.get(integration);
  if (t === undefined) {
    t =
      integration.expiresAt === undefined
        ? Number.POSITIVE_INFINITY
        : Date.parse(integration.expiresAt);
    if (Object.isFrozen(integration)) expiries.set(integration, t);
  }
  return t;
}
