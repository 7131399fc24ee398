import { requestTimeoutMsOf } from "../deadline/index.js";
import { vaultlinkError } from "../errors/index.js";
import type {
  Clock,
  Logger,
  ProviderDefinition,
  ProviderInstance,
  ProviderSession,
} from "../plugin/contract.js";
import { concurrencyOf } from "../plugin/core-settings.js";
import { type LazyProvider, loadLazyProvider } from "../plugin/lazy-provider.js";
import type { IntegrationRecord } from "../vault/model.js";

/**
 * Providers known to this vault (loaded definitions, and lazy ones imported on first use), and
 * one live instance per connected integration.
 */
export class ProviderRegistry {
  #providers = new Map<string, ProviderDefinition>();
  #lazy = new Map<string, LazyProvider>();
  #loading = new Map<string, Promise<ProviderDefinition>>();
  #instances = new Map<string, { generation: string; inst: Promise<ProviderInstance> }>();
  /** Instances replaced by a newer record, disposed after calls in flight had time to end. */
  #retired = new Set<Promise<ProviderInstance>>();

  constructor(
    providers: readonly (ProviderDefinition | LazyProvider)[],
    private readonly deps: {
      logger: Logger;
      clock: Clock;
      pluginOptions: Record<string, Record<string, unknown>>;
      saveSession: (integrationId: string, session: ProviderSession) => Promise<void>;
    },
  ) {
    for (const p of providers) {
      if ("load" in p && p.brand === "vaultlink.lazy-provider") this.#lazy.set(p.id, p);
      else this.#providers.set(p.id, p as ProviderDefinition);
    }
  }

  /** The definitions loaded so far (lazy providers appear once loaded). */
  list(): ProviderDefinition[] {
    return [...this.#providers.values()];
  }

  /** Every provider id this vault knows, loaded or lazy. */
  ids(): string[] {
    return [...new Set([...this.#providers.keys(), ...this.#lazy.keys()])];
  }

  /** A loaded definition. A lazy provider not loaded yet throws: `load(id)` it first. */
  get(id: string): ProviderDefinition {
    const p = this.#providers.get(id);
    if (p) return p;
    if (this.#lazy.has(id))
      throw vaultlinkError("PROVIDER_NOT_FOUND", `The "${id}" provider plugin is not loaded yet.`, {
        hint: `Load it first: await vault.providers.load("${id}").`,
      });
    throw this.#notFound(id);
  }

  /** The definition of `id`, importing a lazy provider on first use (once, however many ask). */
  load(id: string): Promise<ProviderDefinition> {
    const p = this.#providers.get(id);
    if (p) return Promise.resolve(p);
    const lazy = this.#lazy.get(id);
    if (!lazy) return Promise.reject(this.#notFound(id));
    let loading = this.#loading.get(id);
    if (!loading) {
      loading = loadLazyProvider(lazy).then(
        (definition) => {
          this.#providers.set(id, definition);
          this.#loading.delete(id);
          return definition;
        },
        (error: unknown) => {
          // A failed import is tried again by the next use (the plugin may be installed since).
          this.#loading.delete(id);
          throw error;
        },
      );
      this.#loading.set(id, loading);
    }
    return loading;
  }

  /** Load several providers (all known ones when `ids` is undefined). */
  async loadAll(ids: readonly string[] = this.ids()): Promise<ProviderDefinition[]> {
    return Promise.all(ids.map((id) => this.load(id)));
  }

  has(id: string): boolean {
    return this.#providers.has(id) || this.#lazy.has(id);
  }

  #notFound(id: string) {
    return vaultlinkError("PROVIDER_NOT_FOUND", `No provider plugin with id "${id}" is loaded.`, {
      hint: `Loaded providers: ${this.ids().join(", ") || "none"}. See vaultlink plugins list.`,
    });
  }

  /** A throwaway instance for signing in (before any session exists). */
  async fresh(
    provider: ProviderDefinition,
    integration: IntegrationRecord,
  ): Promise<ProviderInstance> {
    return provider.create(this.#context(provider, integration));
  }

  /**
   * The live instance for an integration, created on first use. A record changed since (a
   * reauth, new settings or a saved session, possibly by another process) gets a new instance;
   * the old one is disposed a minute later, when calls it serves have ended.
   */
  instance(
    provider: ProviderDefinition,
    integration: IntegrationRecord,
  ): Promise<ProviderInstance> {
    const generation = generationOf(integration);
    const held = this.#instances.get(integration.id);
    if (held && held.generation === generation) return held.inst;
    if (held) this.#retire(held.inst);
    const inst = Promise.resolve(provider.create(this.#context(provider, integration)));
    inst.catch(() => {
      if (this.#instances.get(integration.id)?.inst === inst)
        this.#instances.delete(integration.id);
    });
    this.#instances.set(integration.id, { generation, inst });
    return inst;
  }

  #retire(inst: Promise<ProviderInstance>): void {
    this.#retired.add(inst);
    const timer = setTimeout(() => {
      if (this.#retired.delete(inst)) void dispose(inst);
    }, 60_000);
    timer.unref?.();
  }

  /** Drop an integration's instance (after reauth or disconnect). */
  async release(integrationId: string): Promise<void> {
    const held = this.#instances.get(integrationId);
    this.#instances.delete(integrationId);
    if (held) await dispose(held.inst);
  }

  async disposeAll(): Promise<void> {
    const retired = [...this.#retired];
    this.#retired.clear();
    await Promise.all([
      ...[...this.#instances.keys()].map((id) => this.release(id)),
      ...retired.map(dispose),
    ]);
  }

  /** The deadline of one call of this integration (core's `timeoutSeconds`, parsed once). */
  requestTimeoutMs(provider: ProviderDefinition, integration: IntegrationRecord): number {
    return requestTimeoutMsOf(integration.settings, this.deps.pluginOptions[provider.id] ?? {});
  }

  #context(provider: ProviderDefinition, integration: IntegrationRecord) {
    const concurrency = concurrencyOf(
      integration.settings,
      this.deps.pluginOptions[provider.id] ?? {},
    );
    return {
      integration: {
        id: integration.id,
        authMethod: integration.authMethod,
        settings: { ...integration.settings },
      },
      ...(integration.credentials ? { session: toSession(integration) } : {}),
      pluginOptions: this.deps.pluginOptions[provider.id] ?? {},
      requestTimeoutMs: this.requestTimeoutMs(provider, integration),
      ...(concurrency !== undefined ? { concurrency } : {}),
      logger: this.deps.logger,
      clock: this.deps.clock,
      saveSession: (session: ProviderSession) => this.deps.saveSession(integration.id, session),
    };
  }
}

/** What identifies one state of an integration record (changes on connect, reauth, saves). */
export function generationOf(integration: IntegrationRecord): string {
  return `${integration.connectedAt}|${integration.updatedAt}|${integration.status}`;
}

async function dispose(inst: Promise<ProviderInstance>): Promise<void> {
  await (await inst.catch(() => undefined))?.dispose();
}

export function toSession(integration: IntegrationRecord): ProviderSession {
  return {
    credentials: integration.credentials ?? {},
    ...(integration.expiresAt ? { expiresAt: new Date(integration.expiresAt) } : {}),
    settings: integration.settings,
  };
}
