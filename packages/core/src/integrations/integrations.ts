import type { AccessPolicy } from "../access/access-policy.js";
import { timedOut, withDeadline } from "../deadline/index.js";
import { toSession } from "../engine/provider-registry.js";
import type { EngineServices } from "../engine/services.js";
import { isVaultlinkError, vaultlinkError } from "../errors/index.js";
import type { ProviderDefinition, ProviderSession } from "../plugin/contract.js";
import { withCoreSettings } from "../plugin/define-provider.js";
import { type Redactor, redactError } from "../redaction/index.js";
import type { IntegrationRecord } from "../vault/model.js";
import { type IntegrationInfo, toIntegrationInfo } from "./integration-view.js";
import { pickAuthMethod, splitOptions } from "./options.js";

export interface ConnectInput {
  /** Provider plugin id ("aws"). */
  provider: string;
  /** Integration id; defaults to the provider id (one organisation per provider). */
  id?: string;
  /** Auth method id; defaults to the provider's first. */
  method?: string;
  /** Option values (settings and secrets together; specs say which is which). */
  options?: Record<string, unknown>;
  /** For interactive methods: show a device code or URL to the person. */
  notify?: (message: string) => void;
}

export interface ReauthInput {
  method?: string;
  /** New option values; omitted ones keep their stored settings. */
  options?: Record<string, unknown>;
  notify?: (message: string) => void;
}

const ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/;

/** Connect, inspect, reauthenticate and disconnect integrations. */
export class Integrations {
  constructor(
    private readonly deps: EngineServices & {
      access: AccessPolicy;
      redactor: Redactor;
      onReleased: (integrationId: string) => void;
    },
  ) {}

  #now(): string {
    return new Date(this.deps.clock.now()).toISOString();
  }

  async list(): Promise<IntegrationInfo[]> {
    const doc = await this.deps.docs.read();
    const now = this.deps.clock.now();
    return Object.values(doc.integrations)
      .map((r) => toIntegrationInfo(r, now))
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  async status(id: string): Promise<IntegrationInfo> {
    return toIntegrationInfo(
      this.#require((await this.deps.docs.read()).integrations, id),
      this.deps.clock.now(),
    );
  }

  async connect(input: ConnectInput): Promise<IntegrationInfo> {
    const provider = this.deps.registry.get(input.provider);
    const id = input.id ?? provider.id;
    if (!ID_PATTERN.test(id)) {
      throw vaultlinkError("INVALID_INPUT", `"${id}" is not a valid integration id.`, {
        hint: "Use lowercase letters, digits and '-', up to 32 characters.",
      });
    }
    const scope = provider.scope ?? "personal";
    await this.deps.access.assertCanManage({ id, scope }, "connect");
    const before = await this.deps.docs.read();
    const existing = Object.hasOwn(before.integrations, id) ? before.integrations[id] : undefined;
    if (existing && existing.status !== "disconnected") {
      throw vaultlinkError("INTEGRATION_EXISTS", `Integration "${id}" is already connected.`, {
        hint: `Sign in again with vaultlink integration reauth ${id}, or disconnect it first.`,
      });
    }
    if (existing && existing.provider !== provider.id) {
      // Links keep the id, not the provider: another provider under this id would be handed
      // references it cannot read. Refuse while any secret still links to it.
      const linked = Object.values(before.secrets)
        .filter((s) => s.link?.integration === id)
        .map((s) => s.name)
        .sort();
      if (linked.length > 0) {
        const shown = linked.slice(0, 5).join(", ") + (linked.length > 5 ? ", …" : "");
        throw vaultlinkError(
          "INTEGRATION_EXISTS",
          `Integration id "${id}" belonged to a ${existing.provider} integration, and ${linked.length === 1 ? "1 secret is" : `${linked.length} secrets are`} still linked to it (${shown}).`,
          {
            hint: `Pick another id (--id ${id}-${provider.id}), connect ${existing.provider} again under "${id}", or unlink those secrets first (vaultlink secret unlink ${linked[0]}).`,
          },
        );
      }
    }
    const method = pickAuthMethod(provider, input.method);
    const { settings, secrets } = splitOptions(provider, method, input.options ?? {});
    const now = this.#now();
    const draft: IntegrationRecord = {
      id,
      provider: provider.id,
      scope,
      authMethod: method.id,
      settings,
      status: "connected",
      connectedAt: now,
      updatedAt: now,
    };
    const session = await this.#signIn(provider, draft, {
      method: method.id,
      settings,
      secrets,
      notify: input.notify,
    });
    const record = applySession(draft, session);
    await this.deps.docs.update((doc) => {
      doc.integrations[id] = record;
    });
    this.deps.events.emit("IntegrationConnected", {
      integration: id,
      provider: provider.id,
      scope,
    });
    return toIntegrationInfo(record, this.deps.clock.now());
  }

  /** Sign in again (expired or revoked credentials). Members may reauthenticate team integrations. */
  async reauthenticate(id: string, input: ReauthInput = {}): Promise<IntegrationInfo> {
    const current = this.#require((await this.deps.docs.read()).integrations, id);
    if (current.status === "disconnected") {
      throw vaultlinkError("INTEGRATION_DISCONNECTED", `Integration "${id}" is disconnected.`, {
        hint: `Connect it again: vaultlink integration connect ${current.provider}.`,
      });
    }
    const provider = this.deps.registry.get(current.provider);
    const method = pickAuthMethod(provider, input.method ?? current.authMethod);
    // Stored settings stand; the plugin checks what it still needs against the previous
    // session, so required options are not demanded again.
    const given = splitOptions(provider, method, input.options ?? {}, {
      // Only what the person gave now: defaults must not overwrite the stored setup.
      enforceRequired: false,
      applyDefaults: false,
    });
    const integrationLevel = new Set(withCoreSettings(provider.settings).map((s) => s.name));
    const switchesMethod = method.id !== current.authMethod;
    if (switchesMethod || Object.keys(given.settings).some((k) => integrationLevel.has(k))) {
      // Members sign in personally with the method the setup names; changing the shared
      // setup (its settings or its auth method) is an admin's call.
      try {
        await this.deps.access.assertCanManage(current, "change");
      } catch (error) {
        if (!switchesMethod || !isVaultlinkError(error) || error.code !== "ACCESS_DENIED") {
          throw error;
        }
        throw vaultlinkError(
          "ACCESS_DENIED",
          `${error.message} Its auth method (${current.authMethod}) is part of that setup.`,
          {
            hint: `Sign in with the team's method: vaultlink integration reauth ${id} --method ${current.authMethod}`,
            cause: error,
          },
        );
      }
    }
    const settings = { ...current.settings, ...given.settings };
    const session = await this.#signIn(
      provider,
      { ...current, settings, authMethod: method.id },
      {
        method: method.id,
        settings,
        secrets: given.secrets,
        previous: current.credentials ? toSession(current) : undefined,
        notify: input.notify,
      },
    );
    const record = applySession(
      { ...current, settings, authMethod: method.id, status: "connected", updatedAt: this.#now() },
      session,
    );
    delete record.statusReason;
    await this.deps.docs.update((doc) => {
      doc.integrations[id] = record;
    });
    await this.#release(id);
    this.deps.events.emit("IntegrationReauthenticated", { integration: id, provider: provider.id });
    return toIntegrationInfo(record, this.deps.clock.now());
  }

  /** Change non-secret settings (team integrations: admins only). */
  async configure(id: string, settings: Record<string, unknown>): Promise<IntegrationInfo> {
    const current = this.#require((await this.deps.docs.read()).integrations, id);
    await this.deps.access.assertCanManage(current, "change");
    const provider = this.deps.registry.get(current.provider);
    const method = pickAuthMethod(provider, current.authMethod);
    const checked = splitOptions(provider, method, settings, {
      enforceRequired: false,
      applyDefaults: false,
    }).settings;
    const record = await this.deps.docs.update((doc) => {
      const r = this.#require(doc.integrations, id);
      r.settings = { ...r.settings, ...checked };
      r.updatedAt = this.#now();
      return r;
    });
    await this.#release(id);
    return toIntegrationInfo(record, this.deps.clock.now());
  }

  /**
   * Forget the credentials, purge cached values and leave links in place, unresolved.
   * Returns the secret names that no longer resolve.
   */
  async disconnect(id: string): Promise<{ unresolved: string[] }> {
    const current = this.#require((await this.deps.docs.read()).integrations, id);
    await this.deps.access.assertCanManage(current, "disconnect");
    const unresolved = await this.deps.docs.update((doc) => {
      const r = this.#require(doc.integrations, id);
      r.status = "disconnected";
      r.statusReason = "disconnected";
      delete r.credentials;
      delete r.expiresAt;
      r.updatedAt = this.#now();
      return Object.values(doc.secrets)
        .filter((s) => s.link?.integration === id)
        .map((s) => s.name)
        .sort();
    });
    const purged = await this.deps.cache.remove((e) => e.integration === id);
    this.deps.events.emit("CachePurged", { integration: id, entries: purged });
    await this.#release(id);
    this.deps.events.emit("IntegrationDisconnected", {
      integration: id,
      provider: current.provider,
      unresolved,
    });
    return { unresolved };
  }

  /** Record that credentials stopped working; emits AuthExpired once per expiry. */
  async markAuthExpired(integration: IntegrationRecord, rawReason: string): Promise<void> {
    // The reason is stored and shown (status, doctor): provider text, so it is redacted.
    const reason = this.deps.redactor.redact(rawReason);
    let changed = false;
    await this.deps.docs.update((doc) => {
      const r = doc.integrations[integration.id];
      if (!r || r.status !== "connected") return;
      r.status = "auth-expired";
      r.statusReason = reason;
      r.updatedAt = this.#now();
      changed = true;
    });
    if (changed) {
      await this.#release(integration.id);
      this.deps.events.emit("AuthExpired", {
        integration: integration.id,
        provider: integration.provider,
        reason,
      });
    }
  }

  /** A provider refreshed its session (renewed token, re-login): store it. */
  async saveSession(id: string, session: ProviderSession): Promise<void> {
    this.deps.redactor.remember(session.credentials);
    await this.deps.docs.update((doc) => {
      const r = doc.integrations[id];
      if (!r || r.status === "disconnected") return;
      Object.assign(r, applySession(r, session), { status: "connected", updatedAt: this.#now() });
      delete r.statusReason;
    });
  }

  async #signIn(
    provider: ProviderDefinition,
    record: IntegrationRecord,
    input: {
      method: string;
      settings: Record<string, unknown>;
      secrets: Record<string, unknown>;
      previous?: ProviderSession | undefined;
      notify?: ((m: string) => void) | undefined;
    },
  ): Promise<ProviderSession> {
    // What the person typed and the session being replaced are secret from here on.
    this.deps.redactor.remember(input.secrets);
    this.deps.redactor.remember(input.previous?.credentials);
    const interactive = provider.authMethods.find((m) => m.id === input.method)?.interactive;
    const timeoutMs = this.deps.registry.requestTimeoutMs(provider, record);
    try {
      const instance = await this.deps.registry.fresh(provider, record);
      try {
        const signIn = (signal?: AbortSignal) =>
          instance.authenticate({
            method: input.method,
            settings: input.settings,
            secrets: input.secrets,
            ...(input.previous ? { previous: input.previous } : {}),
            ...(input.notify ? { notify: input.notify } : {}),
            ...(signal ? { signal } : {}),
          });
        // A person signing in in a browser takes the time they need; anything else has a deadline.
        const session = interactive
          ? await signIn()
          : await withDeadline(timeoutMs, signIn, () => {
              const t = timedOut(provider.title, record.id, timeoutMs, "sign-in");
              throw vaultlinkError("UNREACHABLE", t.message, {
                hint: t.hint,
                provider: provider.id,
                details: t.details,
              });
            });
        this.deps.redactor.remember(session.credentials);
        return session;
      } finally {
        await instance.dispose();
      }
    } catch (error) {
      // Plugin text (and whatever the service echoed into it) passes the redactor here.
      throw redactError(error, this.deps.redactor, {
        code: "PROVIDER_ERROR",
        provider: provider.id,
      });
    }
  }

  async #release(id: string): Promise<void> {
    await this.deps.registry.release(id);
    this.deps.onReleased(id);
  }

  #require(map: Record<string, IntegrationRecord>, id: string): IntegrationRecord {
    const r = Object.hasOwn(map, id) ? map[id] : undefined;
    if (!r) {
      throw vaultlinkError("INTEGRATION_NOT_FOUND", `There is no integration "${id}".`, {
        hint: "List them with vaultlink integration list.",
      });
    }
    return r;
  }
}

function applySession(record: IntegrationRecord, session: ProviderSession): IntegrationRecord {
  const next: IntegrationRecord = {
    ...record,
    credentials: session.credentials,
    settings: { ...record.settings, ...(session.settings ?? {}) },
  };
  if (session.expiresAt) next.expiresAt = session.expiresAt.toISOString();
  else delete next.expiresAt;
  return next;
}
