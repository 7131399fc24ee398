import type { EventBus } from "../events/index.js";
import type { Clock } from "../plugin/contract.js";
import { isUrlAllowed } from "../resolver/allowed-domains.js";
import { fixFor } from "../resolver/fixes.js";
import { malformedReferences } from "../resolver/malformed.js";
import { findReferences, substitute } from "../resolver/template.js";
import type { UnresolvedReference } from "../resolver/types.js";
import type { VaultDocument } from "../vault/model.js";
import type { DocumentAccess } from "./document.js";
import type { LinkedValues } from "./linked-values.js";
import { freshLinkEntry, servableNow } from "./serve-now.js";

export interface ResolveOptions {
  /** The request URL the values are for; needed by secrets with allowed domains. */
  url?: string;
}

export type Resolution =
  | {
      ok: true;
      name: string;
      value: string;
      source: "local" | "cache" | "provider";
      /** Served past its cache time because the provider had an outage (stale-if-error). */
      stale?: true;
    }
  | ({ ok: false } & UnresolvedReference);

/** A resolution for a host that checks each request's URL itself (see `resolveForMatching`). */
export type MatchableResolution = Resolution & {
  /** The secret's allowed domains (empty: any); match with `isUrlAllowed` before each use. */
  allowedDomains: readonly string[];
};

export interface TemplateResult {
  /** The text with every resolvable reference replaced; unresolved ones stay as written. */
  text: string;
  resolved: string[];
  unresolved: UnresolvedReference[];
}

/** Resolves secret names and `{{vault:name}}` templates. */
export class Resolver {
  constructor(
    private readonly docs: DocumentAccess,
    private readonly linked: LinkedValues,
    private readonly events: EventBus,
    private readonly clock: Clock,
    private readonly teamCurrent: (integrationId: string, now: number) => boolean = () => false,
  ) {}

  /**
   * The hot path: a resolution that needs no I/O and no await (a fresh document snapshot, an
   * enabled secret whose domains allow the URL, a local value or a fresh cached value).
   * Undefined means "take the full path", which also reports every failure.
   */
  resolveNow(name: string, options: ResolveOptions = {}): Resolution | undefined {
    if (!this.docs.unlocked) return undefined;
    const now = this.clock.now();
    const doc = this.docs.current(now);
    if (doc === undefined) return undefined;
    const found = servableNow(
      doc,
      name,
      options.url,
      now,
      (key, at) => this.linked.cachedNow(key, at),
      this.teamCurrent,
    );
    if (found === undefined) return undefined;
    const { secret, entry } = found;
    // Results are frozen and reused per record or cache entry: a hit allocates nothing.
    let result: Resolution;
    if (entry === undefined) {
      result = this.#memo(secret, () => ({
        ok: true,
        name,
        value: secret.value as string,
        source: "local",
      }));
    } else {
      result = this.#memo(entry, () => ({ ok: true, name, value: entry.value, source: "cache" }));
      if (result.name !== name)
        result = Object.freeze({ ok: true, name, value: entry.value, source: "cache" });
    }
    if (this.events.has("SecretResolved")) {
      this.events.emit("SecretResolved", {
        name,
        source: result.ok ? result.source : "cache",
        ...(secret.link ? { integration: secret.link.integration } : {}),
      });
    }
    return result;
  }

  #results = new WeakMap<object, Resolution>();
  #memo(key: object, make: () => Resolution): Resolution {
    let r = this.#results.get(key);
    if (r === undefined) {
      r = Object.freeze(make());
      // Only frozen records can be trusted not to change under the memo.
      if (Object.isFrozen(key)) this.#results.set(key, r);
    }
    return r;
  }

  /**
   * The provider ids that resolving `names` now would call: those of enabled linked secrets
   * without a value the hot path may serve (the same rules as `resolveNow`). Local and fresh
   * cached secrets need none, so a host can leave those plugins unloaded.
   */
  async providersNeeded(names: readonly string[]): Promise<string[]> {
    if (!this.docs.unlocked) return [];
    const doc = this.docs.current() ?? (await this.docs.read());
    await this.linked.loadCache();
    const now = this.clock.now();
    const ids = new Set<string>();
    for (const name of new Set(names)) {
      const secret = Object.hasOwn(doc.secrets, name) ? doc.secrets[name] : undefined;
      if (secret?.link === undefined || !secret.enabled) continue;
      const fresh = freshLinkEntry(
        secret.link,
        doc,
        now,
        (key, at) => this.linked.cachedNow(key, at),
        this.teamCurrent,
      );
      const provider = doc.integrations[secret.link.integration]?.provider;
      if (fresh === undefined && provider !== undefined) ids.add(provider);
    }
    return [...ids];
  }

  async resolve(name: string, options: ResolveOptions = {}): Promise<Resolution> {
    if (!this.docs.unlocked) return this.#report(locked(name));
    const doc = this.docs.current() ?? (await this.docs.read());
    return this.#resolveIn(doc, name, options);
  }

  async resolveMany(names: readonly string[], options: ResolveOptions = {}): Promise<Resolution[]> {
    if (!this.docs.unlocked) return names.map((n) => this.#report(locked(n)));
    const doc = this.docs.current() ?? (await this.docs.read());
    return Promise.all(names.map((n) => this.#resolveIn(doc, n, options)));
  }

  /**
   * For a host that holds values for a run and matches every request's URL against each
   * secret's allowed domains itself, with `isUrlAllowed` (Postman's runtime model; the Newman
   * runner): each name resolved as for `resolveMany`, except that the allowed domains are
   * returned with the value instead of being checked against one URL.
   */
  async resolveForMatching(names: readonly string[]): Promise<MatchableResolution[]> {
    if (!this.docs.unlocked)
      return names.map((n) => ({ ...this.#report(locked(n)), allowedDomains: [] }));
    const doc = this.docs.current() ?? (await this.docs.read());
    return Promise.all(
      names.map(async (n) => {
        const secret = Object.hasOwn(doc.secrets, n) ? doc.secrets[n] : undefined;
        const allowedDomains = secret?.allowedDomains ?? [];
        return { ...(await this.#resolveIn(doc, n, {}, true)), allowedDomains };
      }),
    );
  }

  async template(text: string, options: ResolveOptions = {}): Promise<TemplateResult> {
    const names = findReferences(text);
    const malformed = malformedReferences(text);
    for (const m of malformed)
      this.events.emit("SecretUnresolved", { name: m.name, reason: m.reason });
    if (names.length === 0) return { text, resolved: [], unresolved: malformed };
    const results = await this.resolveMany(names, options);
    const values = new Map<string, string>();
    const unresolved: UnresolvedReference[] = [...malformed];
    for (const r of results) {
      if (r.ok) values.set(r.name, r.value);
      else {
        const { ok: _ok, ...rest } = r;
        unresolved.push(rest);
      }
    }
    return { text: substitute(text, values), resolved: [...values.keys()], unresolved };
  }

  async #resolveIn(
    doc: VaultDocument,
    name: string,
    options: ResolveOptions,
    domainsCheckedByCaller = false,
  ): Promise<Resolution> {
    const secret = Object.hasOwn(doc.secrets, name) ? doc.secrets[name] : undefined;
    if (!secret) {
      const renamedTo =
        doc.renames !== undefined && Object.hasOwn(doc.renames, name)
          ? doc.renames[name]
          : undefined;
      if (renamedTo !== undefined && Object.hasOwn(doc.secrets, renamedTo)) {
        return this.#report({
          name,
          reason: "missing",
          message: `There is no secret named "${name}": it was renamed to "${renamedTo}".`,
          fix: fixFor("missing", name, { renamedTo }),
        });
      }
      return this.#report({
        name,
        reason: "missing",
        message: `There is no secret named "${name}".`,
        fix: fixFor("missing", name),
      });
    }
    if (!secret.enabled) {
      return this.#report({
        name,
        reason: "disabled",
        message: `Secret "${name}" is disabled.`,
        fix: fixFor("disabled", name),
      });
    }
    if (!domainsCheckedByCaller && !isUrlAllowed(secret.allowedDomains, options.url)) {
      const limited = secret.allowedDomains.join(", ");
      const origin = options.url === undefined ? undefined : requestOrigin(options.url);
      // A scheme-less entry allows https only: for an http request, the entry to add is http://.
      const httpOnlyNote =
        origin?.scheme === "http" && secret.allowedDomains.some((d) => !/^https?:\/\//i.test(d))
          ? " (a domain written without http:// allows https only)"
          : "";
      const message =
        options.url === undefined
          ? `Secret "${name}" is limited to ${limited} and no request URL was given.`
          : `Secret "${name}" may not be sent to ${origin ? `${origin.scheme}://${origin.host}` : "that URL"}; it is limited to ${limited}${httpOnlyNote}.`;
      const host =
        origin === undefined
          ? undefined
          : origin.scheme === "http"
            ? `http://${origin.host}`
            : origin.host;
      return this.#report({
        name,
        reason: "domain-not-allowed",
        message,
        fix: fixFor("domain-not-allowed", name, host ? { host } : {}),
      });
    }
    if (!secret.link) {
      if (!secret.value) {
        return this.#report({
          name,
          reason: "empty",
          message: `Secret "${name}" has no value.`,
          fix: fixFor("empty", name),
        });
      }
      if (this.events.has("SecretResolved"))
        this.events.emit("SecretResolved", { name, source: "local" });
      return { ok: true, name, value: secret.value, source: "local" };
    }
    const outcome = await this.linked.get(name, secret.link, doc);
    if (!outcome.ok) {
      const { ok: _ok, ...rest } = outcome;
      return this.#report({ name, ...rest });
    }
    if (this.events.has("SecretResolved")) {
      this.events.emit("SecretResolved", {
        name,
        source: outcome.source,
        integration: secret.link.integration,
      });
    }
    return {
      ok: true,
      name,
      value: outcome.value,
      source: outcome.source,
      ...(outcome.stale ? { stale: true as const } : {}),
    };
  }

  #report(u: UnresolvedReference): Resolution {
    this.events.emit("SecretUnresolved", { name: u.name, reason: u.reason });
    return { ok: false, ...u };
  }
}

function locked(name: string): UnresolvedReference {
  return { name, reason: "locked", message: "The vault is locked.", fix: fixFor("locked", name) };
}

/** The scheme and host a request URL goes to, read as the matching reads it (no scheme: http). */
function requestOrigin(url: string): { scheme: string; host: string } | undefined {
  try {
    const parsed = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `http://${url}`);
    return { scheme: parsed.protocol.replace(/:$/, ""), host: parsed.hostname };
  } catch {
    return undefined;
  }
}
