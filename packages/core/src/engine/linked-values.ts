import { linkCacheKey } from "../cache/cache-key.js";
import { Singleflight } from "../cache/singleflight.js";
import type { CacheEntry } from "../cache/types.js";
import { timedOut, withDeadline } from "../deadline/index.js";
import { isVaultlinkError } from "../errors/index.js";
import type { FetchRequest, FetchResult, ProviderDefinition } from "../plugin/contract.js";
import { failAll } from "../plugin/helpers.js";
import { checkLinkOptions } from "../plugin/link-options.js";
import { checkVersion } from "../plugin/versions.js";
import { type Redactor, redactError } from "../redaction/index.js";
import { fixFor } from "../resolver/fixes.js";
import { isOutage } from "../resolver/outage.js";
import type { UnresolvedReason } from "../resolver/types.js";
import { extractJsonKey } from "../values/json-key.js";
import type { IntegrationRecord, LinkRecord, VaultDocument } from "../vault/model.js";
import { BatchQueue } from "./batch-queue.js";
import { generationOf } from "./provider-registry.js";
import { expiryOf } from "./serve-now.js";
import type { EngineServices } from "./services.js";

export interface LinkTarget {
  name: string;
  integration: string;
  reference: string;
  version?: string | undefined;
  jsonKey?: string | undefined;
  options?: Record<string, string> | undefined;
}

export type LinkedOutcome =
  | { ok: true; value: string; source: "cache" | "provider"; stale?: true }
  | { ok: false; reason: UnresolvedReason; message: string; fix: string; code?: string };

/** What one provider fetch ends with: the outcome, and whether a failure is outage-class. */
type Fetched =
  | Extract<LinkedOutcome, { ok: true }>
  | (Extract<LinkedOutcome, { ok: false }> & { outage?: boolean });

const decoder = new TextDecoder();

/** Failures a timed-out SDK call turns into (its own timeout, a closed socket). */
const GAVE_UP = new Set(["UNREACHABLE", "PROVIDER_ERROR"]);
/** Timers may fire a millisecond early; an SDK timeout at the deadline counts as the deadline. */
const DEADLINE_SLACK_MS = 10;

/** Refresh-ahead starts this long before a hot value's cache time ends, at most (decision 0021). */
export const REFRESH_AHEAD_MAX_MS = 60_000;
/** ... and at most this share of the entry's cache time (a 1-minute cache time: the last 6 s). */
export const REFRESH_AHEAD_FRACTION = 0.1;
/**
 * A refresh-ahead that failed is tried again no sooner than this, doubled for every further
 * failure in a row (5 s, 10 s, 20 s, ...): a throttling provider is not asked every 5 s.
 */
export const REFRESH_AHEAD_RETRY_MS = 5_000;

function retryDelay(failuresInARow: number): number {
  return REFRESH_AHEAD_RETRY_MS * 2 ** Math.min(Math.max(0, failuresInARow - 1), 6);
}

/** When refresh-ahead of `entry` is due: the last tenth of its cache time, at most 60 s. */
export function refreshAheadAt(entry: Pick<CacheEntry, "fetchedAt" | "expiresAt">): number {
  const lifetime = Math.max(0, entry.expiresAt - entry.fetchedAt);
  return entry.expiresAt - Math.min(REFRESH_AHEAD_MAX_MS, lifetime * REFRESH_AHEAD_FRACTION);
}

export interface RefreshAheadResult {
  /** Values fetched again ahead of their expiry. */
  refreshed: number;
  /** Refreshes that failed (the cached value stays until its time ends). */
  failed: number;
  /** When the next hot value becomes due (clock ms), when one is known. */
  nextAt?: number;
}

/**
 * Gets the values of linked secrets: cache first, then the provider, with one in-flight fetch
 * per cache key and one provider call per integration per burst.
 */
export class LinkedValues {
  /**
   * One fetch per cache key at a time. A flight carries the fetch's own result (with its
   * outage flag), never a caller's decision: a read that joins a refresh-ahead in flight still
   * gets stale-if-error from its own expired entry when the fetch fails with an outage.
   */
  #flights = new Singleflight<Fetched>();
  #queues = new Map<string, { generation: string; queue: BatchQueue }>();
  /** Refresh-ahead: when each cache key was last read (clock ms); undefined until enabled. */
  #usedAt: Map<string, number> | undefined;
  /** Refresh-ahead failures in a row per cache key: when the last was, and how many. */
  #refreshFailed = new Map<string, { at: number; count: number }>();

  constructor(
    private readonly deps: EngineServices & {
      redactor: Redactor;
      markAuthExpired: (integration: IntegrationRecord, reason: string) => Promise<void>;
      /** Follow a team integration's published setup before using it (may disconnect it). */
      syncTeam: (integrationId: string) => Promise<void>;
    },
  ) {}

  /** Drop the batch queue of an integration (after reauth or disconnect). */
  forget(integrationId: string): void {
    this.#queues.delete(integrationId);
  }

  /** The cache entry under `key` when loaded and fresh at `now`; no I/O (see `servableNow`). */
  /** Load the cached values, so `cachedNow` answers from them. */
  loadCache(): Promise<void> {
    return this.deps.cache.load();
  }

  cachedNow(key: string, now: number): CacheEntry | undefined {
    const entry = this.deps.cache.fresh(key, now);
    if (entry !== undefined && this.#usedAt !== undefined) this.#usedAt.set(key, now);
    return entry;
  }

  /**
   * Refresh-ahead for long-lived hosts (the agent): fetch again, in the background, every
   * linked value that is hot (read from the cache since it was last fetched) and within the
   * last tenth of its cache time (at most 60 s before it ends), so a request rarely meets an
   * expired value. The first call starts recording reads. A failed refresh leaves the cached
   * value as it is (it expires as usual, and stale-if-error still applies) and is tried again
   * after 5 s. Decision 0021.
   */
  async refreshAhead(doc: VaultDocument): Promise<RefreshAheadResult> {
    if (this.#usedAt === undefined) {
      this.#usedAt = new Map();
      return { refreshed: 0, failed: 0 };
    }
    const ttlMinutes = doc.settings.cacheTtlMinutes;
    if (ttlMinutes <= 0) return { refreshed: 0, failed: 0 };
    const now = this.deps.clock.now();
    let nextAt: number | undefined;
    const due = new Map<
      string,
      { name: string; link: LinkRecord; integration: IntegrationRecord }
    >();
    for (const [name, secret] of Object.entries(doc.secrets)) {
      const link = secret.link;
      if (!link || !secret.enabled) continue;
      const key = linkCacheKey(link);
      if (due.has(key)) continue;
      const usedAt = this.#usedAt.get(key);
      if (usedAt === undefined) continue;
      const found = this.deps.cache.peek(key) ?? (await this.deps.cache.lookup(key));
      if (found.state !== "hit" || usedAt < found.entry.fetchedAt) {
        // Not read since it was fetched: let it expire (it costs no request until read again).
        // Expired (every refresh in its window failed, or the host slept past it): the next
        // read fetches it, with stale-if-error; retrying here would call a provider that is
        // down or throttling every few seconds with nobody asking for the value.
        this.#usedAt.delete(key);
        this.#refreshFailed.delete(key);
        continue;
      }
      const failed = this.#refreshFailed.get(key);
      const at = Math.max(
        refreshAheadAt(found.entry),
        failed === undefined ? 0 : failed.at + retryDelay(failed.count),
      );
      if (at > now) {
        nextAt = Math.min(nextAt ?? at, at);
        continue;
      }
      let integration = doc.integrations[link.integration];
      if (integration?.team && integration.status === "connected") {
        // As on a read: the team's word first (a removed setup ends the refreshing too).
        await this.deps.syncTeam(integration.id);
        integration = (await this.deps.docs.read()).integrations[link.integration];
      }
      if (
        !integration ||
        this.#blocked({ name, ...link }, integration, doc.settings.signIns === "memory")
      )
        continue;
      due.set(key, { name, link, integration });
    }
    let refreshed = 0;
    let failed = 0;
    await Promise.all(
      [...due].map(async ([key, { name, link, integration }]) => {
        const outcome = await this.#flights.run(key, () =>
          this.#fetch({ name, ...link }, integration, key, ttlMinutes),
        );
        if (outcome.ok) {
          refreshed++;
          this.#refreshFailed.delete(key);
          this.deps.events.emit("ValueRefreshedAhead", {
            integration: link.integration,
            reference: link.reference,
          });
        } else {
          failed++;
          const at = this.deps.clock.now();
          const count = (this.#refreshFailed.get(key)?.count ?? 0) + 1;
          this.#refreshFailed.set(key, { at, count });
          const retryAt = at + retryDelay(count);
          nextAt = Math.min(nextAt ?? retryAt, retryAt);
        }
      }),
    );
    return { refreshed, failed, ...(nextAt !== undefined ? { nextAt } : {}) };
  }

  async get(name: string, link: LinkRecord, doc: VaultDocument): Promise<LinkedOutcome> {
    const target: LinkTarget = { name, ...link };
    let integration = doc.integrations[target.integration];
    if (integration?.team && integration.status === "connected") {
      // The team's word first: a removed setup must not keep serving cached values.
      await this.deps.syncTeam(integration.id);
      doc = await this.deps.docs.read();
      integration = doc.integrations[target.integration];
    }
    const blocked = this.#blocked(target, integration, doc.settings.signIns === "memory");
    if (blocked) {
      if (blocked.expiredNow && integration) {
        await this.deps.markAuthExpired(integration, "credentials passed their expiry time");
      }
      return blocked.outcome;
    }
    const ttlMinutes = doc.settings.cacheTtlMinutes;
    const staleMs = (doc.settings.staleIfErrorMinutes ?? 0) * 60_000;
    const key = linkCacheKey(link);
    let expired: CacheEntry | undefined;
    if (ttlMinutes > 0) {
      const found = this.deps.cache.peek(key) ?? (await this.deps.cache.lookup(key));
      if (found.state === "hit") {
        this.#usedAt?.set(key, this.deps.clock.now());
        return { ok: true, value: found.entry.value, source: "cache" };
      }
      if (found.state === "expired") {
        expired = found.entry;
        this.deps.events.emit("CacheExpired", {
          integration: target.integration,
          reference: target.reference,
          ageMs: this.deps.clock.now() - found.entry.fetchedAt,
        });
      }
    }
    const fetched = await this.#flights.run(key, () =>
      this.#fetch(target, integration as IntegrationRecord, key, ttlMinutes),
    );
    if (fetched.ok) return fetched;
    const { outage, ...failure } = fetched;
    if (outage && expired !== undefined && staleMs > 0) {
      const served = await this.#serveStale(target, expired, staleMs, failure.code ?? "");
      if (served) return served;
    }
    return failure;
  }

  #blocked(
    target: LinkTarget,
    integration: IntegrationRecord | undefined,
    memoryOnly = false,
  ): { outcome: LinkedOutcome; expiredNow?: boolean } | undefined {
    if (!integration || integration.status === "disconnected") {
      return {
        outcome: {
          ok: false,
          reason: "disconnected",
          message:
            integration?.statusReason === "disconnected by the team"
              ? `Integration "${target.integration}" was disconnected by the team.`
              : `Integration "${target.integration}" is not connected.`,
          fix: fixFor("disconnected", target.name, {
            integration: target.integration,
            teamScoped: integration?.scope === "team",
          }),
        },
      };
    }
    if (memoryOnly && integration.status === "connected" && integration.credentials === undefined) {
      // Memory-only sign-ins: this process does not hold them (the agent that did has stopped,
      // or this is not the agent). Nothing is recorded: the sign-in may live on elsewhere.
      return {
        outcome: {
          ok: false,
          reason: "auth-expired",
          message: `The sign-in to integration "${integration.id}" is kept in memory only (sign-ins: memory), and this process does not hold it; sign in again: vaultlink integration reauth ${integration.id}.`,
          fix: `start the agent (vaultlink agent start) and sign in again: vaultlink integration reauth ${integration.id}`,
        },
      };
    }
    const expired =
      integration.status === "auth-expired" ||
      (integration.expiresAt !== undefined && expiryOf(integration) <= this.deps.clock.now());
    if (expired) {
      return {
        outcome: {
          ok: false,
          reason: "auth-expired",
          message: `The sign-in to integration "${integration.id}" has expired.`,
          fix: fixFor("auth-expired", target.name, { integration: integration.id }),
        },
        // The first caller to notice records it (and emits AuthExpired once).
        expiredNow: integration.status === "connected",
      };
    }
    return undefined;
  }

  /**
   * Fetch `link` from its provider once, without the cache: proof that the reference, its
   * version and its JSON key work (`secret link`'s check). Nothing is cached or persisted;
   * an expired sign-in is recorded as on any fetch.
   */
  async check(name: string, link: LinkRecord, doc: VaultDocument): Promise<LinkedOutcome> {
    const target: LinkTarget = { name, ...link };
    const integration = doc.integrations[target.integration];
    const blocked = this.#blocked(target, integration, doc.settings.signIns === "memory");
    if (blocked) {
      if (blocked.expiredNow && integration) {
        await this.deps.markAuthExpired(integration, "credentials passed their expiry time");
      }
      return blocked.outcome;
    }
    const loaded = await this.#load(target, integration as IntegrationRecord);
    if (loaded.ok) return { ok: true, value: loaded.value, source: "provider" };
    const { outage: _outage, ...failure } = loaded;
    return failure;
  }

  /**
   * Stale-if-error: the expired entry, when its cache time ended less than `staleMs` ago. The
   * entry records when it was first served stale (shown by `cache status`).
   */
  async #serveStale(
    target: LinkTarget,
    entry: CacheEntry,
    staleMs: number,
    code: string,
  ): Promise<LinkedOutcome | undefined> {
    const now = this.deps.clock.now();
    const staleForMs = now - entry.expiresAt;
    if (staleForMs > staleMs) return undefined;
    if (entry.staleServedAt === undefined) {
      // Only if the entry is still the one in the cache (a fresh value may have landed).
      // Concurrent reads served stale from one failed fetch record it once.
      const current = await this.deps.cache.lookup(entry.key);
      if (
        current.state !== "miss" &&
        current.entry.fetchedAt === entry.fetchedAt &&
        current.entry.staleServedAt === undefined
      )
        await this.deps.cache.put([{ ...entry, staleServedAt: now }]);
    }
    this.deps.events.emit("StaleValueServed", {
      integration: target.integration,
      reference: target.reference,
      ageMs: now - entry.fetchedAt,
      staleForMs,
      code,
    });
    return { ok: true, value: entry.value, source: "cache", stale: true };
  }

  async #fetch(
    target: LinkTarget,
    integration: IntegrationRecord,
    key: string,
    ttlMinutes: number,
  ): Promise<Fetched> {
    const loaded = await this.#load(target, integration);
    if (!loaded.ok) return loaded;
    const { value } = loaded;
    const ttlMs = Math.min(ttlMinutes * 60_000, loaded.cacheTtlMs ?? Number.POSITIVE_INFINITY);
    if (ttlMs > 0) {
      const now = this.deps.clock.now();
      await this.deps.cache.put([
        {
          key,
          integration: target.integration,
          reference: target.reference,
          ...(target.version !== undefined ? { version: target.version } : {}),
          ...(target.jsonKey !== undefined ? { jsonKey: target.jsonKey } : {}),
          value,
          fetchedAt: now,
          expiresAt: now + ttlMs,
        },
      ]);
    }
    return { ok: true, value, source: "provider" };
  }

  /** Parse, fetch through the batch queue and pick the JSON key: the value, or why not. */
  async #load(
    target: LinkTarget,
    integration: IntegrationRecord,
  ): Promise<
    | { ok: true; value: string; cacheTtlMs?: number | undefined }
    | (Extract<LinkedOutcome, { ok: false }> & { outage?: boolean })
  > {
    let provider: ProviderDefinition;
    try {
      provider = await this.deps.registry.load(integration.provider);
    } catch (error) {
      return providerFailure(
        target,
        "PROVIDER_ERROR",
        (error as Error).message,
        isVaultlinkError(error) ? error.hint : undefined,
      );
    }
    let reference: FetchRequest["reference"];
    let version: string | undefined;
    let options: Record<string, string> | undefined;
    try {
      reference = provider.parseReference(target.reference, { settings: integration.settings });
      version =
        target.version === undefined
          ? undefined
          : checkVersion(provider, target.version, integration.settings);
      options = checkLinkOptions(provider, target.options, integration.settings);
    } catch (error) {
      const e = redactError(error, this.deps.redactor, { code: "INVALID_REFERENCE" });
      return providerFailure(target, "INVALID_REFERENCE", e.message, e.hint);
    }
    const result = await this.#queue(provider, integration).enqueue({
      reference,
      ...(version !== undefined ? { version } : {}),
      ...(options !== undefined ? { options } : {}),
    });
    if (!result.ok) {
      // The one place a provider's failure text enters core's results: redact it here.
      const message = this.deps.redactor.redact(result.message);
      const hint = result.hint === undefined ? undefined : this.deps.redactor.redact(result.hint);
      if (result.code === "AUTH_EXPIRED") {
        await this.deps.markAuthExpired(integration, message);
        return {
          ok: false,
          reason: "auth-expired",
          message,
          fix: fixFor("auth-expired", target.name, { integration: integration.id }),
          code: result.code,
        };
      }
      return {
        ...providerFailure(target, result.code, message, hint),
        outage: isOutage(result.code, result.details),
      };
    }
    let value = typeof result.value === "string" ? result.value : decoder.decode(result.value);
    this.deps.redactor.remember(value);
    if (target.jsonKey !== undefined) {
      try {
        value = extractJsonKey(value, target.jsonKey);
      } catch (error) {
        const e = error as { code?: string; message: string; hint?: string };
        return providerFailure(target, e.code ?? "NOT_JSON", e.message, e.hint);
      }
    }
    return { ok: true, value, cacheTtlMs: result.cacheTtlMs };
  }

  /** One batch queue per integration, rebuilt when its record changed (see `generationOf`). */
  #queue(provider: ProviderDefinition, integration: IntegrationRecord): BatchQueue {
    const generation = generationOf(integration);
    const held = this.#queues.get(integration.id);
    let q = held?.generation === generation ? held.queue : undefined;
    if (!q) {
      q = new BatchQueue(async (requests): Promise<FetchResult[]> => {
        const ids = requests.map((r) => r.id);
        const timeoutMs = this.deps.registry.requestTimeoutMs(provider, integration);
        const late = () => {
          const t = timedOut(provider.title, integration.id, timeoutMs);
          return ids.map((id): FetchResult => ({ id, ok: false, code: "UNREACHABLE", ...t }));
        };
        // Core's deadline holds even for a provider that ignores the signal. A provider whose
        // SDK gave up at the same deadline (its own timeout) is reported the same way.
        const started = performance.now();
        const pastDeadline = (signal: AbortSignal) =>
          signal.aborted || performance.now() - started >= timeoutMs - DEADLINE_SLACK_MS;
        return withDeadline(
          timeoutMs,
          async (signal) => {
            let results: FetchResult[];
            try {
              const instance = await this.deps.registry.instance(provider, integration);
              results = await instance.fetch(requests, { signal });
            } catch (error) {
              results = failAll(ids, error);
            }
            if (!pastDeadline(signal)) return results;
            const t = timedOut(provider.title, integration.id, timeoutMs);
            return results.map((r) =>
              r.ok || !GAVE_UP.has(r.code) ? r : { id: r.id, ok: false, code: "UNREACHABLE", ...t },
            );
          },
          late,
        );
      });
      this.#queues.set(integration.id, { generation, queue: q });
    }
    return q;
  }
}

function providerFailure(
  target: LinkTarget,
  code: string,
  message: string,
  hint?: string,
): Extract<LinkedOutcome, { ok: false }> {
  return {
    ok: false,
    reason: "provider-error",
    message,
    fix: fixFor("provider-error", target.name, {
      integration: target.integration,
      reference: target.reference,
      code,
      ...(hint ? { hint } : {}),
    }),
    code,
  };
}
