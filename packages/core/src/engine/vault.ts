import type { AccessPolicy } from "../access/access-policy.js";
import { AgentRoute } from "../agent/route.js";
import type { CachePersistence } from "../cache/types.js";
import { ValueCache } from "../cache/value-cache.js";
import type { DependencyContainer } from "../di/container.js";
import { Tokens } from "../di/tokens.js";
import { vaultlinkError } from "../errors/index.js";
import type { EventBus } from "../events/index.js";
import { Integrations } from "../integrations/integrations.js";
import type { Clock, Logger, ProviderDefinition } from "../plugin/contract.js";
import { Redactor, stringsIn } from "../redaction/index.js";
import type { EncodeOptions } from "../transfer/envelope.js";
import type { ImportOptions, ImportReport } from "../transfer/import.js";
import { exportVault, importVault } from "../transfer/index.js";
import type { ExportPayload } from "../transfer/payload.js";
import {
  confirmReset,
  confirmRestore,
  type RestoreResult,
  resolveVaultKey,
  vaultNotFoundError,
} from "../vault/index.js";
import type { KeySource, VaultFileStore, VaultPaths, VaultSession } from "../vault/types.js";
import { CacheApi } from "./cache-api.js";
import { DocumentAccess } from "./document.js";
import { LinkedValues, type RefreshAheadResult } from "./linked-values.js";
import { Links } from "./links.js";
import { ProviderRegistry } from "./provider-registry.js";
import {
  type MatchableResolution,
  type Resolution,
  type ResolveOptions,
  Resolver,
  type TemplateResult,
} from "./resolver.js";
import { ScriptGrants } from "./script-grants.js";
import { Secrets } from "./secrets.js";
import { SettingsApi } from "./settings-api.js";

export interface VaultOptions {
  /** How long a read document is trusted before the file is checked again. Default 1000 ms. */
  freshnessMs?: number;
}

/**
 * One vault: the encrypted store plus the engine around it. Build it with `createVault`.
 * Every service comes from this instance's own DI container.
 */
export class Vault {
  readonly events: EventBus;
  readonly secrets: Secrets;
  readonly links: Links;
  /** Remembered grants of vault access to collections' scripts (pm.vault). */
  readonly scriptGrants: ScriptGrants;
  readonly integrations: Integrations;
  readonly cache: CacheApi;
  readonly settings: SettingsApi;
  readonly providers: ProviderRegistry;
  readonly paths: VaultPaths;
  #agent: AgentRoute;
  #unlockedBy: string | undefined;
  #docs: DocumentAccess;
  #resolver: Resolver;
  #linked: LinkedValues;
  #storage: VaultFileStore;
  #keySources: readonly KeySource[];
  #cachePersistence: (session: VaultSession) => CachePersistence;
  #valueCache: ValueCache;
  #clock: Clock;
  #logger: Logger;
  #redactor: Redactor;

  constructor(
    readonly container: DependencyContainer,
    options: VaultOptions = {},
  ) {
    this.#clock = container.resolve(Tokens.Clock);
    this.#logger = container.resolve(Tokens.Logger);
    this.events = container.resolve(Tokens.Events);
    this.#storage = container.resolve(Tokens.Storage);
    this.#keySources = container.resolve(Tokens.KeySources);
    this.#cachePersistence = container.resolve(Tokens.CachePersistence);
    const access: AccessPolicy = container.resolve(Tokens.AccessPolicy);
    this.paths = this.#storage.paths;
    this.#agent = new AgentRoute(this.paths.dir);
    this.#docs = new DocumentAccess(this.#clock, options.freshnessMs ?? 1000);

    // The value cache is bound to the unlocked session (its key derives from the data key).
    const valueCache = new ValueCache(this.#clock);
    this.#valueCache = valueCache;
    // Another process disconnected or reconnected an integration (without telling this one):
    // what this process cached in memory may belong to the old connection. Read the file again.
    this.#docs.onConnectionsChanged = () => valueCache.reload();
    // What the redactor knows at any moment: local values and stored credentials of the last
    // document read, and the cached values in memory (plus what it is told to remember).
    this.#redactor = new Redactor(() => {
      const known: string[] = [];
      const doc = this.#docs.lastKnown();
      if (doc) {
        for (const secret of Object.values(doc.secrets)) {
          if (secret.value !== undefined) known.push(secret.value);
        }
        for (const i of Object.values(doc.integrations)) stringsIn(i.credentials, known);
      }
      known.push(...valueCache.loadedValues());
      return known;
    });

    let integrations: Integrations | undefined;
    this.providers = new ProviderRegistry(container.resolve(Tokens.Providers), {
      logger: this.#logger,
      clock: this.#clock,
      pluginOptions: container.resolve(Tokens.PluginOptions),
      saveSession: (id, session) => (integrations as Integrations).saveSession(id, session),
    });
    this.#linked = new LinkedValues({
      docs: this.#docs,
      cache: valueCache,
      registry: this.providers,
      events: this.events,
      clock: this.#clock,
      redactor: this.#redactor,
      markAuthExpired: (r, reason) => (integrations as Integrations).markAuthExpired(r, reason),
      syncTeam: async (id) => {
        await (integrations as Integrations).syncTeam(id);
      },
    });
    integrations = new Integrations({
      docs: this.#docs,
      registry: this.providers,
      cache: valueCache,
      events: this.events,
      clock: this.#clock,
      access,
      redactor: this.#redactor,
      logger: this.#logger,
      onReleased: (id) => this.#linked.forget(id),
      agentIntegrations: () =>
        this.#agent.run(
          (a) => a.integrations(),
          async () => undefined,
          () => true,
        ),
    });
    this.integrations = integrations;
    this.secrets = new Secrets(this.#docs, this.events, this.#clock);
    this.scriptGrants = new ScriptGrants(this.#docs, this.#clock);
    this.links = new Links({
      docs: this.#docs,
      registry: this.providers,
      cache: valueCache,
      events: this.events,
      clock: this.#clock,
      checkLink: (name, link, doc) => this.#linked.check(name, link, doc),
    });
    this.cache = new CacheApi({
      cache: valueCache,
      docs: this.#docs,
      events: this.events,
      clock: this.#clock,
    });
    this.settings = new SettingsApi(this.#docs, this.events, valueCache, this.#clock);
    this.#resolver = new Resolver(this.#docs, this.#linked, this.events, this.#clock, (id, now) =>
      integrations.teamCurrent(id, now),
    );
  }

  exists(): Promise<boolean> {
    return this.#storage.exists();
  }

  get unlocked(): boolean {
    return this.#docs.unlocked;
  }

  /** Which key source unlocked the vault ("env", "keychain", "prompt", "argument"). */
  get unlockedBy(): string | undefined {
    return this.#unlockedBy;
  }

  /** Create a new vault. The returned vault key is shown to the user once; keep it safe. */
  async create(): Promise<{ vaultKey: string }> {
    const { vaultKey, session } = await this.#storage.create();
    this.#attach(session, "created");
    return { vaultKey };
  }

  /**
   * Unlock with the given key, or from the key sources in order (env, keychain, prompt). A host
   * that found the key itself names where it came from (`source`, default "argument"), which
   * `unlockedBy` then reports.
   */
  async unlock(vaultKey?: string, options: { source?: string } = {}): Promise<{ source: string }> {
    let key: string;
    let source = options.source ?? "argument";
    if (vaultKey !== undefined) key = vaultKey;
    else {
      if (!(await this.#storage.exists())) throw await vaultNotFoundError(this.paths);
      let found: Awaited<ReturnType<typeof resolveVaultKey>>;
      try {
        found = await resolveVaultKey(this.#keySources);
      } catch (error) {
        // No key here, but the vault home's agent holds the vault unlocked: resolving works
        // through it (the rest of the API needs the key).
        if ((await this.#agent.client()) !== undefined) return { source: "agent" };
        throw error;
      }
      key = found.vaultKey;
      source = found.source;
    }
    const session = await this.#storage.open(key);
    this.#attach(session, source);
    return { source };
  }

  /**
   * Forget what this long-lived instance holds from the files (the document snapshot and the
   * cached values in memory), so the next use reads them again: for a process that outlives
   * other processes' changes (the agent). Provider instances follow the integration records.
   */
  async refresh(): Promise<void> {
    this.#docs.invalidate();
    await this.#valueCache.reload();
  }

  /**
   * Renew the sessions that are due (plugins with `refreshSession`, e.g. HashiCorp tokens at
   * two thirds of their TTL). For long-lived hosts: the agent calls it on a timer. Returns when
   * to call again, when a plugin said.
   */
  refreshSessions(): Promise<{ nextAt?: number; refreshed: number; failed: number }> {
    return this.integrations.refreshSessions();
  }

  /**
   * Refresh-ahead, for long-lived hosts (the agent calls it on a timer): fetch again every hot
   * linked value (read from the cache since its last fetch) in the last tenth of its cache time
   * (at most its last 60 s), so reads rarely meet an expired value. The first call starts
   * recording reads and refreshes nothing. Returns when the next hot value becomes due.
   */
  async refreshAhead(): Promise<RefreshAheadResult> {
    if (!this.#docs.unlocked) return { refreshed: 0, failed: 0 };
    return this.#linked.refreshAhead(await this.#docs.read());
  }

  /** Forget the unlocked session (the data key leaves memory with it). */
  async lock(): Promise<void> {
    await this.providers.disposeAll();
    this.#docs.attach(undefined);
    this.#valueCache.unbind();
    this.#unlockedBy = undefined;
  }

  /**
   * Destroy every secret, integration and cached value and issue a new vault key.
   * Requires `{ confirm: true }`.
   */
  async reset(options: { confirm: boolean }): Promise<{ vaultKey: string }> {
    confirmReset(options);
    await this.providers.disposeAll();
    const { vaultKey, session } = await this.#storage.reset({ confirm: true });
    this.#attach(session, "created");
    this.events.emit("VaultReset", {});
    return { vaultKey };
  }

  /**
   * What the backup (the previous generation) holds, opened with `vaultKey` (default: from
   * the key sources). Changes nothing. Errors: VAULT_NOT_FOUND when there is no backup,
   * VAULT_WRONG_KEY, VAULT_CORRUPT.
   */
  async inspectBackup(vaultKey?: string): Promise<{ secrets: number; integrations: number }> {
    const storage = this.#storage;
    if (!storage.inspectBackup) throw restoreUnsupported();
    const key = vaultKey ?? (await resolveVaultKey(this.#keySources)).vaultKey;
    const doc = await storage.inspectBackup(key);
    return {
      secrets: Object.keys(doc.secrets).length,
      integrations: Object.keys(doc.integrations).length,
    };
  }

  /**
   * Replace the vault with its backup (the previous generation), after checking that the
   * backup opens with `vaultKey` (default: from the key sources). The replaced vault file is
   * kept as the new backup, or set aside when it does not open. Requires `{ confirm: true }`.
   * The vault is locked afterwards; unlock it again to use the restored generation.
   */
  async restore(options: { confirm: boolean }, vaultKey?: string): Promise<RestoreResult> {
    confirmRestore(options);
    const storage = this.#storage;
    if (!storage.restore) throw restoreUnsupported();
    const key = vaultKey ?? (await resolveVaultKey(this.#keySources)).vaultKey;
    await this.lock();
    return storage.restore(key, { confirm: true });
  }

  /**
   * Use a running `vaultlink agent` of this vault home for `resolve`, `resolveMany`,
   * `resolveForMatching` and `resolveTemplate` (default: on). The agent's own vault turns it off.
   */
  useAgent(on: boolean): void {
    this.#agent.enabled = on;
  }

  /** Resolve one secret by name (through the vault home's agent when one runs). */
  resolve(name: string, options?: ResolveOptions): Promise<Resolution> {
    if (this.#agent.maybe())
      return this.#agent.run(
        (a) => a.resolve(name, options),
        () => this.#resolver.resolve(name, options),
        () => this.unlocked,
      );
    const now = this.#resolver.resolveNow(name, options);
    return now !== undefined ? Promise.resolve(now) : this.#resolver.resolve(name, options);
  }

  /**
   * Which providers resolving these names would call now (linked secrets without a fresh
   * cached value); empty when every one is local or cached. For hosts that load plugins lazily.
   */
  providersNeeded(names: readonly string[]): Promise<string[]> {
    return this.#resolver.providersNeeded(names);
  }

  resolveMany(names: readonly string[], options?: ResolveOptions): Promise<Resolution[]> {
    if (this.#agent.maybe())
      return this.#agent.run(
        (a) => a.resolveMany(names, options),
        () => this.#resolver.resolveMany(names, options),
        () => this.unlocked,
      );
    return this.#resolver.resolveMany(names, options);
  }

  /**
   * Values with their allowed domains, for a host that matches each request's URL itself with
   * `isUrlAllowed` before using a value (the Newman runner). Never use a value for a URL its
   * domains do not allow.
   */
  resolveForMatching(names: readonly string[]): Promise<MatchableResolution[]> {
    if (this.#agent.maybe())
      return this.#agent.run(
        (a) => a.resolveForMatching(names),
        () => this.#resolver.resolveForMatching(names),
        () => this.unlocked,
      );
    return this.#resolver.resolveForMatching(names);
  }

  /** Replace every `{{vault:name}}` in a text; unresolved references stay as written. */
  resolveTemplate(text: string, options?: ResolveOptions): Promise<TemplateResult> {
    if (this.#agent.maybe())
      return this.#agent.run(
        (a) => a.resolveTemplate(text, options),
        () => this.#resolver.template(text, options),
        () => this.unlocked,
      );
    return this.#resolver.template(text, options);
  }

  /**
   * The text of an export file: secrets (local values, links, allowed domains, enabled flags),
   * encrypted with `password` unless `plaintext` is asked for. Credentials are never exported.
   * `secrets` is the number of secrets in the export (a count, not the secrets).
   */
  async exportSecrets(options: EncodeOptions): Promise<{ text: string; secrets: number }> {
    const session = this.#docs.session();
    const secrets = Object.keys((await session.read()).secrets).length;
    return { text: await exportVault(session, options), secrets };
  }

  /** Import a decoded export (`decodeExport`) in one atomic write; conflicts per `options`. */
  async importSecrets(payload: ExportPayload, options: ImportOptions): Promise<ImportReport> {
    try {
      return await importVault(this.#docs.session(), payload, options);
    } finally {
      this.#docs.invalidate();
    }
  }

  /**
   * Remove every value and credential this vault knows (local values, stored credentials,
   * cached values, values fetched in this process) and anything that looks like a credential
   * from `text`. Core already applies it to provider and plugin text; hosts may apply it to
   * anything else they print.
   */
  redact(text: string): string {
    return this.#redactor.redact(text);
  }

  /** The provider plugins this vault can use. */
  listProviders(): ProviderDefinition[] {
    return this.providers.list();
  }

  /** Release provider clients and the session. */
  async dispose(): Promise<void> {
    this.#agent.dispose();
    await this.lock();
  }

  #attach(session: VaultSession, source: string): void {
    this.#docs.attach(session);
    this.#valueCache.bind(this.#cachePersistence(session));
    this.#unlockedBy = source;
  }
}

function restoreUnsupported() {
  return vaultlinkError(
    "INVALID_INPUT",
    "This vault's storage keeps no backup generation, so there is nothing to restore.",
    { hint: "Restore from an export instead (vaultlink import)." },
  );
}
