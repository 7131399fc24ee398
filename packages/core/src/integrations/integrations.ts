import type { AccessContext, AccessPolicy } from "../access/access-policy.js";
import {
  type PauseDeadline,
  timedOut,
  withDeadline,
  withPausableDeadline,
} from "../deadline/index.js";
import { toSession } from "../engine/provider-registry.js";
import { TEAM_RECHECK_MS, teamCheckedRecently } from "../engine/serve-now.js";
import type { EngineServices } from "../engine/services.js";
import { isVaultlinkError, type VaultlinkError, vaultlinkError } from "../errors/index.js";
import type {
  Logger,
  ProviderDefinition,
  ProviderInstance,
  ProviderSession,
  SignInQuestion,
  TeamAuthority,
  TeamSetup,
} from "../plugin/contract.js";
import { withCoreSettings } from "../plugin/define-provider.js";
import { type Redactor, redactError } from "../redaction/index.js";
import type { IntegrationRecord, IntegrationScope, VaultDocument } from "../vault/model.js";
import { type IntegrationInfo, memoryOnlyView, toIntegrationInfo } from "./integration-view.js";
import type { JoinInfo } from "./join-code.js";
import { mergeSettings, pickAuthMethod, splitOptions } from "./options.js";
import { checkTeamSetup } from "./team-setup.js";

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
  /** When a person is there to answer: questions the sign-in finds it needs (an MFA code). */
  ask?: (question: SignInQuestion) => Promise<string>;
}

export interface JoinInput {
  provider: string;
  id?: string;
  /** The sign-in method; default the one the join code names. */
  method?: string;
  /** From a join code: where the setup lives and how to sign in to read it. */
  setup?: TeamSetup;
  /** Option values the member gives (address, namespace, secrets of the method…). */
  options?: Record<string, unknown>;
  notify?: (message: string) => void;
  ask?: (question: SignInQuestion) => Promise<string>;
}

export { TEAM_RECHECK_MS };

export interface ReauthInput {
  method?: string;
  /** New option values; omitted ones keep their stored settings. */
  options?: Record<string, unknown>;
  notify?: (message: string) => void;
  ask?: (question: SignInQuestion) => Promise<string>;
}

const ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/;

/** What signing out did at the service (besides forgetting the credentials here). */
export interface SessionEnd {
  /** True when the plugin ended the session at the service (a revoked token). */
  sessionEnded: boolean;
  /** Why it could not, when it tried and failed (redacted). */
  sessionNote?: string;
}

/** Connect, inspect, reauthenticate and disconnect integrations. */
export class Integrations {
  constructor(
    private readonly deps: EngineServices & {
      access: AccessPolicy;
      redactor: Redactor;
      logger: Logger;
      onReleased: (integrationId: string) => void;
      /**
       * Memory-only sign-ins: the integrations as the vault home's running agent holds them;
       * undefined when no agent runs (or this process is the agent).
       */
      agentIntegrations?: () => Promise<IntegrationInfo[] | undefined>;
    },
  ) {}

  /** Team integrations whose setup was confirmed at (clock ms), in this process. */
  #teamChecked = new Map<string, number>();
  #teamChecks = new Map<string, Promise<TeamSync>>();

  #now(): string {
    return new Date(this.deps.clock.now()).toISOString();
  }

  async list(): Promise<IntegrationInfo[]> {
    const doc = await this.deps.docs.read();
    const now = this.deps.clock.now();
    const infos = Object.values(doc.integrations)
      .map((r) => toIntegrationInfo(r, now))
      .sort((a, b) => a.id.localeCompare(b.id));
    return this.#withMemoryOnly(doc, infos);
  }

  async status(id: string): Promise<IntegrationInfo> {
    const doc = await this.deps.docs.read();
    const info = toIntegrationInfo(this.#require(doc.integrations, id), this.deps.clock.now());
    const [shown] = await this.#withMemoryOnly(doc, [info]);
    return shown ?? info;
  }

  /**
   * With `sign-ins: memory`, a connected integration whose credentials this process does not
   * hold is shown as the agent holds it: "connected" with the sign-in in the agent, or
   * auth-expired with "sign in again" when no agent holds it (decision 0021).
   */
  async #withMemoryOnly(doc: VaultDocument, infos: IntegrationInfo[]): Promise<IntegrationInfo[]> {
    if (doc.settings.signIns !== "memory") return infos;
    const missing = (i: IntegrationInfo) =>
      i.status === "connected" && doc.integrations[i.id]?.credentials === undefined;
    if (!infos.some(missing)) return infos;
    const agent = await this.deps.agentIntegrations?.().catch(() => undefined);
    const byId = new Map((agent ?? []).map((a) => [a.id, a]));
    return infos.map((i) => (missing(i) ? memoryOnlyView(i, byId.get(i.id), !!agent) : i));
  }

  async connect(input: ConnectInput): Promise<IntegrationInfo> {
    const provider = await this.deps.registry.load(input.provider);
    const id = input.id ?? provider.id;
    if (!ID_PATTERN.test(id)) {
      throw vaultlinkError("INVALID_INPUT", `"${id}" is not a valid integration id.`, {
        hint: "Use lowercase letters, digits and '-', up to 32 characters.",
      });
    }
    const scope = provider.scope ?? "personal";
    // Personal integrations: decided now. Team ones: after signing in, by the provider.
    if (scope !== "team") await this.deps.access.assertCanManage({ id, scope }, "connect");
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
      ask: input.ask,
    });
    const record = applySession(draft, session);
    if (scope === "team") {
      // The admin rule is the provider's: only someone it lets publish the setup connects.
      await this.#asTeam(provider, record, async (team) => {
        await this.deps.access.assertCanManage({ id, scope }, "connect", accessContext(team));
        await team.publish({ authMethod: method.id, settings: record.settings });
        record.team = { location: team.location, checkedAt: this.#now() };
      });
    }
    return this.#saveConnected(id, record, provider.id, scope);
  }

  /**
   * A member joins a team integration: sign in (with what a join code carries, or the
   * member's own method), read the setup the team published, and keep a personal integration
   * bound to it. Nothing is written to the provider.
   */
  async join(input: JoinInput): Promise<IntegrationInfo> {
    const provider = await this.deps.registry.load(input.provider);
    if (provider.scope !== "team") {
      throw vaultlinkError(
        "INVALID_INPUT",
        `${provider.title} is not a team integration; connect it with vaultlink integration connect ${provider.id}.`,
      );
    }
    const id = input.id ?? provider.id;
    if (!ID_PATTERN.test(id)) {
      throw vaultlinkError("INVALID_INPUT", `"${id}" is not a valid integration id.`, {
        hint: "Use lowercase letters, digits and '-', up to 32 characters.",
      });
    }
    const existing = (await this.deps.docs.read()).integrations[id];
    // A member may join again after signing out (the team moved, a new join code): the
    // record is theirs and holds no credentials then. Anything else would be overwritten.
    const rejoin =
      existing?.scope === "team" && existing.provider === provider.id && !existing.credentials;
    if (existing && existing.status !== "disconnected" && !rejoin) {
      throw vaultlinkError(
        "INTEGRATION_EXISTS",
        existing.scope === "team" && existing.provider === provider.id
          ? `Integration "${id}" is already joined and signed in.`
          : `Integration "${id}" is already connected.`,
        {
          hint:
            existing.scope === "team" && existing.provider === provider.id
              ? `To join again (a new join code), sign out first: vaultlink integration signout ${id}. To sign in again as you are: vaultlink integration reauth ${id}.`
              : `Join under another id (--id ${id}-team), or disconnect it first.`,
        },
      );
    }
    const method = pickAuthMethod(provider, input.method ?? input.setup?.authMethod);
    const fromCode = shareable(provider, input.setup?.settings ?? {});
    const given = splitOptions(provider, method, { ...fromCode, ...(input.options ?? {}) });
    const now = this.#now();
    const draft: IntegrationRecord = {
      id,
      provider: provider.id,
      scope: "team",
      authMethod: method.id,
      settings: given.settings,
      status: "connected",
      connectedAt: now,
      updatedAt: now,
    };
    const session = await this.#signIn(provider, draft, {
      method: method.id,
      settings: given.settings,
      secrets: given.secrets,
      notify: input.notify,
      ask: input.ask,
    });
    const signedIn = applySession(draft, session);
    const record = await this.#asTeam(provider, signedIn, async (team) => {
      const setup = await team.read();
      if (!setup) {
        throw vaultlinkError(
          "TEAM_SETUP_NOT_FOUND",
          `No team setup is published at ${team.location}.`,
          {
            hint: `Ask a team admin to publish it (vaultlink integration connect ${provider.id} …), or check the address, namespace and teamPath you joined with.`,
            provider: provider.id,
          },
        );
      }
      // What the member gave (address, the join code) is what they agreed to.
      const checked = checkTeamSetup(provider, setup, {
        id,
        location: team.location,
        current: signedIn.settings,
      });
      const next: IntegrationRecord = {
        ...signedIn,
        authMethod: checked.authMethod,
        settings: followedSettings(signedIn.settings, checked, team.shared),
        team: { location: team.location, checkedAt: this.#now() },
      };
      return next;
    }).catch(async (error: unknown) => {
      // Not joined: the session this sign-in obtained is ended, not left alive in Vault.
      await this.#endSession(signedIn);
      throw error;
    });
    return this.#saveConnected(id, record, provider.id, "team");
  }

  /** What a member needs to join this team integration (a join code's content): nothing secret. */
  async joinInfo(id: string): Promise<JoinInfo> {
    const r = this.#require((await this.deps.docs.read()).integrations, id);
    if (r.scope !== "team") {
      throw vaultlinkError(
        "INVALID_INPUT",
        `"${id}" is a personal integration; only team integrations are joined.`,
      );
    }
    const provider = await this.deps.registry.load(r.provider);
    return {
      provider: r.provider,
      setup: { authMethod: r.authMethod, settings: shareable(provider, r.settings) },
    };
  }

  /**
   * Forget this person's credentials and cached values of one integration; the integration
   * and its links stay, waiting for `reauth`. Anyone may sign out, members included.
   */
  async signOut(id: string): Promise<IntegrationInfo & SessionEnd> {
    const current = this.#require((await this.deps.docs.read()).integrations, id);
    const ended = await this.#endSession(current);
    const record = await this.deps.docs.update((doc) => {
      const r = this.#require(doc.integrations, id);
      delete r.credentials;
      delete r.expiresAt;
      if (r.status === "connected") r.status = "auth-expired";
      if (r.status === "auth-expired") r.statusReason = "signed out";
      r.updatedAt = this.#now();
      return r;
    });
    const purged = await this.deps.cache.remove((e) => e.integration === id);
    this.deps.events.emit("CachePurged", { integration: id, entries: purged });
    await this.#release(id);
    return { ...toIntegrationInfo(record, this.deps.clock.now()), ...ended };
  }

  /**
   * Follow the team's published setup (on use): a changed setup is taken over, a removed one
   * disconnects this vault's integration ("disconnected by the team"). When the provider cannot
   * be asked (offline, signed out), nothing changes. Checked at most once a minute.
   */
  async syncTeam(id: string, options: { force?: boolean } = {}): Promise<TeamSync> {
    const now = this.deps.clock.now();
    if (!options.force) {
      if (this.teamCurrent(id, now)) return {};
      const record = (await this.deps.docs.read()).integrations[id];
      if (record && teamCheckedRecently(record, now)) return {};
    }
    let pending = this.#teamChecks.get(id);
    if (!pending) {
      pending = this.#syncTeamNow(id).finally(() => this.#teamChecks.delete(id));
      this.#teamChecks.set(id, pending);
    }
    return pending;
  }

  /** Was the team setup of `id` confirmed recently enough to serve cached values at once? */
  teamCurrent(id: string, now: number): boolean {
    const at = this.#teamChecked.get(id);
    return at !== undefined && now - at < TEAM_RECHECK_MS;
  }

  async #syncTeamNow(id: string): Promise<TeamSync> {
    const record = (await this.deps.docs.read()).integrations[id];
    if (!record?.team || record.status !== "connected" || !record.credentials) return {};
    const provider = await this.deps.registry.load(record.provider).catch(() => undefined);
    if (!provider) return {};
    let setup: TeamSetup | undefined;
    let shared: readonly string[] | undefined;
    // Core's deadline holds here too: every read of a team integration waits for this check,
    // so a provider that hangs on it must not hold reads past the integration's timeout.
    const timeoutMs = this.deps.registry.requestTimeoutMs(provider, record);
    try {
      const read = await withDeadline(
        timeoutMs,
        async () => {
          const instance = await this.deps.registry.instance(provider, record);
          if (!instance.team) return undefined;
          return { shared: instance.team.shared, setup: await instance.team.read() };
        },
        () => {
          const t = timedOut(provider.title, record.id, timeoutMs, "team check");
          throw vaultlinkError("UNREACHABLE", t.message, {
            hint: t.hint,
            provider: provider.id,
            details: t.details,
          });
        },
      );
      if (!read) return {};
      shared = read.shared;
      setup = read.setup;
    } catch (error) {
      // Offline, signed out, or no read on the setup: nothing changes ("unknown", not
      // "removed"); the fetch that follows says why, and a forced check reports it.
      const unchecked = redactError(error, this.deps.redactor, {
        code: "PROVIDER_ERROR",
        provider: provider.id,
      });
      this.deps.logger.debug("Could not check the team setup", {
        integration: id,
        code: unchecked.code,
      });
      return { unchecked };
    }
    this.#teamChecked.set(id, this.deps.clock.now());
    if (!setup) {
      await this.#disconnectLocally(record, "disconnected by the team", "team");
      return {};
    }
    let checked: TeamSetup;
    try {
      checked = checkTeamSetup(provider, setup, {
        id,
        location: record.team.location,
        current: record.settings,
      });
    } catch (error) {
      // Malformed, or sending sign-in elsewhere: not followed; the last good setup stays.
      const problem = redactError(error, this.deps.redactor, {
        code: "TEAM_SETUP_INVALID",
        provider: provider.id,
      });
      this.deps.logger.warn(problem.message, { integration: id, code: "TEAM_SETUP_INVALID" });
      return { problem };
    }
    const checkedAt = this.#now();
    const settings = followedSettings(record.settings, checked, shared);
    const changed =
      checked.authMethod !== record.authMethod ||
      JSON.stringify(Object.entries(settings).sort()) !==
        JSON.stringify(Object.entries(record.settings).sort());
    if (!changed) {
      await this.deps.docs.update((doc) => {
        const r = doc.integrations[id];
        if (r?.team) r.team = { ...r.team, checkedAt };
      });
      return {};
    }
    await this.deps.docs.update((doc) => {
      const r = doc.integrations[id];
      if (!r) return;
      if (r.team) r.team = { ...r.team, checkedAt };
      r.authMethod = checked.authMethod;
      r.settings = followedSettings(r.settings, checked, shared);
      r.updatedAt = this.#now();
    });
    // Values cached under the old setup (another namespace, say) are not the team's now.
    await this.deps.cache.remove((e) => e.integration === id);
    await this.#release(id);
    this.#teamChecked.set(id, this.deps.clock.now());
    this.deps.logger.info(`Followed the team's changed setup of "${id}".`);
    return {};
  }

  /**
   * A live instance of a team integration with a session, and its team authority. Without a
   * session the provider cannot be asked who you are.
   */
  async #asTeam<T>(
    provider: ProviderDefinition,
    record: IntegrationRecord,
    fn: (team: TeamAuthority, instance: ProviderInstance) => Promise<T>,
  ): Promise<T> {
    if (!record.credentials) {
      throw vaultlinkError(
        "AUTH_EXPIRED",
        `You are not signed in to "${record.id}", so ${provider.title} cannot say what you may do.`,
        {
          hint: `Sign in first: vaultlink integration reauth ${record.id}.`,
          provider: provider.id,
        },
      );
    }
    const instance = await this.deps.registry.fresh(provider, record);
    try {
      if (!instance.team) {
        throw vaultlinkError(
          "ACCESS_DENIED",
          `The ${provider.title} plugin does not publish team setups, so nobody can be told apart as a team admin.`,
          { hint: "Update the provider plugin.", provider: provider.id },
        );
      }
      return await fn(instance.team, instance);
    } finally {
      await instance.dispose();
    }
  }

  /** Sign in again (expired or revoked credentials). Members may reauthenticate team integrations. */
  async reauthenticate(id: string, input: ReauthInput = {}): Promise<IntegrationInfo> {
    const current = this.#require((await this.deps.docs.read()).integrations, id);
    if (current.status === "disconnected") throw disconnectedError(id, current, current.provider);
    const provider = await this.deps.registry.load(current.provider);
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
    const changesSettings = Object.keys(given.settings).some((k) => integrationLevel.has(k));
    if (current.scope === "team" && (switchesMethod || changesSettings)) {
      // Signing in is personal; the method and settings are the team's setup, which only an
      // admin changes (configure), and which every member's vault follows.
      throw vaultlinkError(
        "ACCESS_DENIED",
        `Signing in to the team integration "${id}" uses the team's setup${switchesMethod ? ` (auth method ${current.authMethod})` : ""}; changing it is a team Admin's call.`,
        {
          hint: switchesMethod
            ? `Sign in with the team's method: vaultlink integration reauth ${id}. An admin changes it with vaultlink integration configure ${id} --method <id>.`
            : `Sign in without team settings: vaultlink integration reauth ${id}. An admin changes them with vaultlink integration configure ${id}.`,
        },
      );
    }
    if (current.scope !== "team" && (switchesMethod || changesSettings))
      await this.deps.access.assertCanManage(current, "change");
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
        ask: input.ask,
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
    this.#teamChecked.delete(id);
    this.deps.events.emit("IntegrationReauthenticated", { integration: id, provider: provider.id });
    if (record.team) {
      // Signed in again: follow the team's setup now (it may have changed or gone).
      await this.syncTeam(id, { force: true });
      const after = await this.status(id);
      if (after.status === "disconnected") throw disconnectedError(id, after, current.provider);
      return after;
    }
    return toIntegrationInfo(record, this.deps.clock.now());
  }

  /**
   * Change non-secret settings (and, for team integrations, the team's auth method). Team
   * integrations: admins only, as the provider decides; the change is published for everyone.
   */
  async configure(
    id: string,
    settings: Record<string, unknown>,
    options: { method?: string } = {},
  ): Promise<IntegrationInfo> {
    const current = this.#require((await this.deps.docs.read()).integrations, id);
    const provider = await this.deps.registry.load(current.provider);
    const method = pickAuthMethod(provider, options.method ?? current.authMethod);
    const next = mergeSettings(provider, method, current.settings, settings);
    if (current.scope === "team") {
      await this.#asTeam(provider, current, async (team) => {
        await this.deps.access.assertCanManage(current, "change", accessContext(team));
        await team.publish({ authMethod: method.id, settings: next });
      });
    } else {
      if (method.id !== current.authMethod)
        throw vaultlinkError("INVALID_INPUT", "Only a team integration's method is configured.", {
          hint: `Sign in with another method: vaultlink integration reauth ${id} --method ${method.id}.`,
        });
      await this.deps.access.assertCanManage(current, "change");
    }
    const record = await this.deps.docs.update((doc) => {
      const r = this.#require(doc.integrations, id);
      r.settings = mergeSettings(provider, method, r.settings, settings);
      r.authMethod = method.id;
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
  async disconnect(id: string): Promise<{ unresolved: string[] } & SessionEnd> {
    const current = this.#require((await this.deps.docs.read()).integrations, id);
    if (current.scope === "team") {
      // An admin's disconnect removes the team setup for everyone; members are refused
      // before anything changes (Vault would refuse the removal anyway).
      const provider = await this.deps.registry.load(current.provider);
      await this.#asTeam(provider, current, async (team) => {
        await this.deps.access.assertCanManage(current, "disconnect", accessContext(team));
        await team.remove();
      });
    } else await this.deps.access.assertCanManage(current, "disconnect");
    return this.#disconnectLocally(current, "disconnected", "you");
  }

  /**
   * Delete the record of a disconnected integration. Refused, with nothing changed, while it is
   * connected or expired (disconnect it first) or while secrets still link to it (named).
   */
  async remove(id: string): Promise<void> {
    await this.deps.docs.update((doc) => {
      const r = this.#require(doc.integrations, id);
      // A team integration signed out is the member's own record only (members cannot
      // disconnect it: that removes the team's setup); removing it changes nothing in the team.
      const signedOutTeam = r.scope === "team" && r.credentials === undefined;
      if (r.status !== "disconnected" && !signedOutTeam) {
        throw vaultlinkError(
          "INVALID_INPUT",
          `Integration "${id}" is ${r.status}; only a disconnected${r.scope === "team" ? " or signed-out" : ""} integration can be removed.`,
          {
            hint:
              r.scope === "team"
                ? `Sign out first (your own sign-in only; the team's setup stays): vaultlink integration signout ${id}`
                : `Disconnect it first: vaultlink integration disconnect ${id}`,
          },
        );
      }
      const linked = Object.values(doc.secrets)
        .filter((s) => s.link?.integration === id)
        .map((s) => s.name);
      if (linked.length > 0) {
        throw vaultlinkError(
          "INVALID_INPUT",
          `Integration "${id}" is still linked from ${linked.length === 1 ? "the secret" : "the secrets"} ${linked.join(", ")}.`,
          {
            hint: "Link them to another integration or delete them (vaultlink secret delete <name>), then remove it.",
          },
        );
      }
      delete doc.integrations[id];
    });
    this.#teamChecked.delete(id);
  }

  /** Keep a freshly connected (or joined) integration, announce it and describe it. */
  async #saveConnected(
    id: string,
    record: IntegrationRecord,
    provider: string,
    scope: IntegrationScope,
  ): Promise<IntegrationInfo> {
    await this.deps.docs.update((doc) => {
      doc.integrations[id] = record;
    });
    this.#teamChecked.set(id, this.deps.clock.now());
    this.deps.events.emit("IntegrationConnected", { integration: id, provider, scope });
    return toIntegrationInfo(record, this.deps.clock.now());
  }

  async #disconnectLocally(
    current: IntegrationRecord,
    reason: string,
    by: "you" | "team",
  ): Promise<{ unresolved: string[] } & SessionEnd> {
    const id = current.id;
    this.#teamChecked.delete(id);
    const ended = await this.#endSession(current);
    const unresolved = await this.deps.docs.update((doc) => {
      const r = this.#require(doc.integrations, id);
      r.status = "disconnected";
      r.statusReason = reason;
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
      by,
    });
    return { unresolved, ...ended };
  }

  /**
   * Ask the plugin to end the stored session at the service (revoke a token it obtained)
   * before its credentials are forgotten. Never throws: the sign-out goes ahead either way,
   * and what happened is reported (redacted: it is provider text).
   */
  async #endSession(record: IntegrationRecord): Promise<SessionEnd> {
    if (!record.credentials) return { sessionEnded: false };
    const provider = await this.deps.registry.load(record.provider).catch(() => undefined);
    if (!provider) return { sessionEnded: false };
    const timeoutMs = this.deps.registry.requestTimeoutMs(provider, record);
    try {
      const instance = await this.deps.registry.fresh(provider, record);
      try {
        if (!instance.endSession) return { sessionEnded: false };
        const end = instance.endSession.bind(instance);
        const ended = await withDeadline(
          timeoutMs,
          (signal) => end(signal),
          () => {
            throw new Error(timedOut(provider.title, record.id, timeoutMs, "sign-out").message);
          },
        );
        return { sessionEnded: ended === true };
      } finally {
        await instance.dispose();
      }
    } catch (error) {
      const why = redactError(error, this.deps.redactor, {
        code: "PROVIDER_ERROR",
        provider: provider.id,
      }).message;
      return {
        sessionEnded: false,
        sessionNote: `${provider.title} did not confirm the end of the session: ${why} It ends when it expires.`,
      };
    }
  }

  /**
   * Renew or refresh every connected integration's session that is due, through the plugins'
   * optional `refreshSession`, each within its deadline. A renewal that fails with AUTH_EXPIRED
   * marks the integration auth-expired (AuthExpired); other failures (the provider is down) are
   * tried again next time. Returns when to call again: the earliest time a plugin asked for.
   */
  async refreshSessions(): Promise<{ nextAt?: number; refreshed: number; failed: number }> {
    const doc = await this.deps.docs.read();
    let nextAt: number | undefined;
    let refreshed = 0;
    let failed = 0;
    for (const record of Object.values(doc.integrations)) {
      if (record.status !== "connected" || !record.credentials) continue;
      const provider = await this.deps.registry.load(record.provider).catch(() => undefined);
      if (!provider) continue;
      const timeoutMs = this.deps.registry.requestTimeoutMs(provider, record);
      try {
        const instance = await this.deps.registry.instance(provider, record);
        if (!instance.refreshSession) continue;
        const refresh = instance.refreshSession.bind(instance);
        const answer = await withDeadline(
          timeoutMs,
          (signal) => refresh(signal),
          () => {
            throw vaultlinkError(
              "UNREACHABLE",
              timedOut(provider.title, record.id, timeoutMs, "session renewal").message,
            );
          },
        );
        refreshed++;
        const at = answer?.nextAt;
        if (typeof at === "number" && Number.isFinite(at)) nextAt = Math.min(nextAt ?? at, at);
      } catch (error) {
        failed++;
        const code = isVaultlinkError(error) ? error.code : "PROVIDER_ERROR";
        const why = redactError(error, this.deps.redactor, { code, provider: provider.id }).message;
        if (code === "AUTH_EXPIRED") await this.markAuthExpired(record, why);
        else
          this.deps.logger.warn("session renewal failed; trying again later", {
            integration: record.id,
            code,
          });
      }
    }
    return { ...(nextAt !== undefined ? { nextAt } : {}), refreshed, failed };
  }

  /** Record that credentials stopped working; emits AuthExpired once per expiry. */
  async markAuthExpired(integration: IntegrationRecord, rawReason: string): Promise<void> {
    // The reason is stored and shown (status, doctor): provider text, so it is redacted.
    const reason = this.deps.redactor.redact(rawReason);
    let changed = false;
    await this.deps.docs.update((doc) => {
      const r = doc.integrations[integration.id];
      if (r?.status !== "connected") return;
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
      ask?: ((question: SignInQuestion) => Promise<string>) | undefined;
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
        const ask = input.ask;
        const signIn = (signal?: AbortSignal, pause?: PauseDeadline) =>
          instance.authenticate({
            method: input.method,
            settings: input.settings,
            secrets: input.secrets,
            ...(input.previous ? { previous: input.previous } : {}),
            ...(input.notify ? { notify: input.notify } : {}),
            ...(ask
              ? {
                  // The clock stops while the person answers; a secret answer is redacted.
                  ask: async (question: SignInQuestion) => {
                    const answer = await (pause ? pause(() => ask(question)) : ask(question));
                    if (question.secret) this.deps.redactor.remember({ [question.name]: answer });
                    return answer;
                  },
                }
              : {}),
            ...(signal ? { signal } : {}),
          });
        // A person signing in in a browser takes the time they need; anything else has a deadline.
        const session = interactive
          ? await signIn()
          : await withPausableDeadline(timeoutMs, signIn, () => {
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

/** Signing in to a disconnected integration: why it is disconnected and what to run. */
function disconnectedError(
  id: string,
  current: { scope: IntegrationScope; statusReason?: string | undefined },
  provider: string,
): Error {
  return vaultlinkError(
    "INTEGRATION_DISCONNECTED",
    current.statusReason === "disconnected by the team"
      ? `Integration "${id}" was disconnected by the team: a team admin removed its setup.`
      : `Integration "${id}" is disconnected.`,
    {
      hint:
        current.scope === "team"
          ? `Ask a team admin to set it up again, then join: vaultlink integration join ${provider} <join code>.`
          : `Connect it again: vaultlink integration connect ${provider}.`,
    },
  );
}

/** What a team sync found that the member should hear about (a setup it did not follow). */
export interface TeamSync {
  /** A setup that was read but not followed (malformed, or sign-in sent elsewhere). */
  problem?: VaultlinkError;
  /** Why the setup could not be read (offline, refused, unreadable); nothing changed. */
  unchecked?: VaultlinkError;
}

/**
 * A member's settings under the team's setup: the setup's values over the member's own, and
 * the shared settings the setup leaves out removed (their defaults apply again).
 */
function followedSettings(
  current: Readonly<Record<string, unknown>>,
  setup: TeamSetup,
  shared: readonly string[] | undefined,
): Record<string, unknown> {
  const next: Record<string, unknown> = { ...current };
  for (const name of shared ?? []) if (!Object.hasOwn(setup.settings, name)) delete next[name];
  return { ...next, ...setup.settings };
}

/** The provider's integration-level settings that are not this machine's own. */
function shareable(
  provider: ProviderDefinition,
  settings: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const spec of provider.settings ?? []) {
    if (spec.local || spec.secret) continue;
    if (settings[spec.name] !== undefined) out[spec.name] = settings[spec.name];
  }
  return out;
}

function accessContext(team: TeamAuthority): AccessContext {
  return { role: () => team.role(), location: team.location };
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
