import { cacheKey } from "../cache/cache-key.js";
import type { CacheEntryInfo } from "../cache/types.js";
import type { ValueCache } from "../cache/value-cache.js";
import type { EventBus } from "../events/index.js";
import type { Clock } from "../plugin/contract.js";
import type { DocumentAccess } from "./document.js";

/** Cache status and reset, as users see them: names, ages and expiry, never values. */
export class CacheApi {
  constructor(
    private readonly deps: {
      cache: ValueCache;
      docs: DocumentAccess;
      events: EventBus;
      clock: Clock;
    },
  ) {}

  async status(): Promise<{
    ttlMinutes: number;
    staleIfErrorMinutes: number;
    entries: CacheEntryInfo[];
  }> {
    const doc = await this.deps.docs.read();
    const namesByKey = new Map<string, string[]>();
    for (const s of Object.values(doc.secrets)) {
      if (!s.link) continue;
      const k = cacheKey(s.link);
      namesByKey.set(k, [...(namesByKey.get(k) ?? []), s.name]);
    }
    const now = this.deps.clock.now();
    const staleMs = (doc.settings.staleIfErrorMinutes ?? 0) * 60_000;
    const entries = (await this.deps.cache.entries()).map((e) => ({
      integration: e.integration,
      reference: e.reference,
      ...(e.version !== undefined ? { version: e.version } : {}),
      ...(e.jsonKey !== undefined ? { jsonKey: e.jsonKey } : {}),
      names: (namesByKey.get(e.key) ?? []).sort(),
      ageMs: now - e.fetchedAt,
      expiresInMs: Math.max(0, e.expiresAt - now),
      expired: e.expiresAt <= now,
      ...(e.expiresAt <= now && now - e.expiresAt < staleMs
        ? { staleIfErrorForMs: staleMs - (now - e.expiresAt) }
        : {}),
      ...(e.staleServedAt !== undefined
        ? { servedStaleAt: new Date(e.staleServedAt).toISOString() }
        : {}),
    }));
    return {
      ttlMinutes: doc.settings.cacheTtlMinutes,
      staleIfErrorMinutes: doc.settings.staleIfErrorMinutes ?? 0,
      entries,
    };
  }

  /** Clear every cached value now. */
  async reset(): Promise<{ entries: number }> {
    const entries = await this.deps.cache.reset();
    this.deps.events.emit("CacheReset", { entries });
    return { entries };
  }
}
