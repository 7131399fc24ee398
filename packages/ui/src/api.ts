import { randomBytes } from "node:crypto";
import {
  CONFLICT_POLICIES,
  type ConflictPolicy,
  checkExportPassword,
  decodeExport,
  isEncryptedExport,
  isVaultlinkError,
  type ProviderDefinition,
  splitDomainList,
  type Vault,
  type WritableKeySource,
} from "@vaultlink/core";
import type { OptionSpec } from "@vaultlink/core/plugin";

/**
 * What the page may ask of the vault: one function per action, taking the parsed JSON body.
 * Values leave only through `view`; everything else returns names, states and settings.
 */

export interface UiHost {
  vault: Vault;
  /** Import provider plugins (all when no ids) so their forms and links work. */
  ensureProviders?(ids?: readonly string[]): Promise<void>;
  /**
   * This vault's entry in the OS keychain, when the host has one: a new vault key (create,
   * reset) is kept there when the person asks, as `vault create` and `vault reset` do.
   */
  keychain?: WritableKeySource;
}

/** The word the person types to confirm a reset (the server checks it, not only the page). */
export const RESET_WORD = "reset";

/** A user error the page shows as it is: what was wrong and what to do next. */
export class UiInputError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

type Body = Record<string, unknown>;

/** What the page is told about a failure: the person's error as it is, anything else vaguely. */
export interface ErrorBody {
  error: string;
  hint?: string | undefined;
  code: string;
}

/** Map an error to what the page may see; undefined when it is not the person's error. */
export function userError(error: unknown): ErrorBody | undefined {
  if (error instanceof UiInputError)
    return { error: error.message, hint: error.hint, code: "INVALID_INPUT" };
  // Core's messages never hold a value; it redacts what providers relay.
  if (isVaultlinkError(error)) return { error: error.message, hint: error.hint, code: error.code };
  return undefined;
}

export const UNEXPECTED: ErrorBody = {
  error: "Something unexpected went wrong; see the terminal.",
  code: "UI_ERROR",
};

/**
 * A sign-in that needs the person (a browser sign-in, a device code): it runs in the background
 * while the page polls for the plugin's messages (the URL to open) and the outcome.
 */
interface SignInJob {
  messages: string[];
  done: boolean;
  result?: unknown;
  error?: ErrorBody;
}

function text(body: Body, key: string, what = key): string {
  const v = body[key];
  if (typeof v !== "string" || v.trim() === "")
    throw new UiInputError(`Give ${what}.`, `The field "${key}" is empty.`);
  return v;
}

function optionalText(body: Body, key: string): string | undefined {
  const v = body[key];
  if (v === undefined || v === null || v === "") return undefined;
  if (typeof v !== "string") throw new UiInputError(`The field "${key}" must be text.`);
  return v;
}

function stringRecord(body: Body, key: string): Record<string, string> {
  const v = body[key];
  if (v === undefined || v === null) return {};
  if (typeof v !== "object" || Array.isArray(v))
    throw new UiInputError(`The field "${key}" must be an object of text values.`);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (typeof x !== "string") throw new UiInputError(`Option "${k}" must be text.`);
    if (x !== "") out[k] = x;
  }
  return out;
}

/** A field that must be text when given (a number or a list is refused, never dropped). */
function maybeText(body: Body, key: string, what: string): string | undefined {
  const v = body[key];
  if (v === undefined) return undefined;
  if (typeof v !== "string")
    throw new UiInputError(`The ${what} must be text.`, `The field "${key}" holds ${typeName(v)}.`);
  return v;
}

/** A yes/no field: true or false when given, nothing else ("false" as text is refused). */
function maybeFlag(body: Body, key: string, what: string): boolean | undefined {
  const v = body[key];
  if (v === undefined) return undefined;
  if (typeof v !== "boolean")
    throw new UiInputError(
      `${what} must be true or false.`,
      `The field "${key}" holds ${typeName(v)}.`,
    );
  return v;
}

function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  return typeof v === "object" ? "an object" : `a ${typeof v}`;
}

/** Comma-separated allowed domains; empty text means any domain. */
function domainsOf(text: string | undefined): string[] {
  return text === undefined || text.trim() === "" ? [] : splitDomainList(text);
}

function specView(s: OptionSpec) {
  return {
    name: s.name,
    title: s.title,
    type: s.type,
    secret: s.secret === true,
    required: s.required === true,
    ...(s.default !== undefined ? { default: s.default } : {}),
    ...(s.choices ? { choices: [...s.choices] } : {}),
    ...(s.description ? { description: s.description } : {}),
  };
}

function providerView(p: ProviderDefinition) {
  return {
    id: p.id,
    title: p.title,
    scope: p.scope ?? "personal",
    authMethods: p.authMethods.map((m) => ({
      id: m.id,
      title: m.title,
      interactive: m.interactive === true,
      ...(m.description ? { description: m.description } : {}),
      options: m.options.map(specView),
    })),
    settings: (p.settings ?? []).map(specView),
    linkOptions: (p.linkOptions ?? []).filter((s) => s.secret !== true).map(specView),
    referenceExamples: [...p.referenceExamples],
    versions: p.capabilities.versions,
    jsonKey: p.capabilities.jsonKey !== false,
  };
}

/** A URL that one of a secret's allowed domains admits, to resolve it as a request would. */
function urlFor(domains: readonly string[]): string | undefined {
  const d = domains[0];
  if (!d) return undefined;
  const m = /^(https?:\/\/)?(\*\.)?(.*)$/i.exec(d.trim());
  return `${m?.[1] ?? "https://"}${m?.[3] ?? d}`;
}

type Action =
  | "state"
  | "view"
  | "add"
  | "update"
  | "rename"
  | "remove"
  | "checkReference"
  | "link"
  | "unlink"
  | "settings"
  | "resetCache"
  | "connect"
  | "reauth"
  | "disconnect"
  | "doctor"
  | "job"
  | "export"
  | "import"
  | "vaultCreate"
  | "vaultUnlock"
  | "vaultReset";

export type UiApi = Record<Action, (body: Body) => Promise<unknown>>;

export function createApi(
  host: UiHost,
  onUnexpectedError: (error: unknown) => void = () => {},
): UiApi {
  const { vault } = host;
  const jobs = new Map<string, SignInJob>();
  /** Run an interactive sign-in in the background; the page polls `job` with the id. */
  const startJob = (run: (notify: (message: string) => void) => Promise<unknown>) => {
    const id = randomBytes(16).toString("base64url");
    const job: SignInJob = { messages: [], done: false };
    jobs.set(id, job);
    run((message) => job.messages.push(vault.redact(message))).then(
      (result) => {
        job.result = result;
        job.done = true;
      },
      (error: unknown) => {
        const known = userError(error);
        if (!known) onUnexpectedError(error);
        job.error = known ?? UNEXPECTED;
        job.done = true;
      },
    );
    return { job: id };
  };
  const interactive = (providerId: string, method: string | undefined) => {
    const p = vault.providers.get(providerId);
    const m = method === undefined ? p.authMethods[0] : p.authMethods.find((x) => x.id === method);
    return m?.interactive === true;
  };
  let providersLoaded = false;
  const providers = async () => {
    if (!providersLoaded && host.ensureProviders) await host.ensureProviders();
    providersLoaded = true;
    return vault.listProviders();
  };

  let keychainCheck: Promise<{ available: boolean; reason?: string }> | undefined;
  /** Whether a new key can be kept in the OS keychain (asked once per screen). */
  const keychainAvailability = () => {
    const kc = host.keychain;
    keychainCheck ??= kc
      ? kc.availability().then(
          (a) => (a.available ? { available: true } : { available: false, reason: a.reason }),
          (error: unknown) => ({ available: false, reason: (error as Error).message }),
        )
      : Promise.resolve({ available: false, reason: "this screen has no OS keychain to use" });
    return keychainCheck;
  };
  /** Keep a new key in the keychain when asked; forget the old one when not (as the CLI does). */
  const keepKey = async (
    vaultKey: string,
    wanted: boolean,
  ): Promise<{ stored: boolean; reason?: string }> => {
    const kc = host.keychain;
    const a = await keychainAvailability();
    if (!kc || !a.available) return { stored: false, reason: a.reason ?? "no OS keychain" };
    if (!wanted) {
      await kc.forget().catch(() => false);
      return { stored: false, reason: "you chose not to" };
    }
    try {
      await kc.store(vaultKey);
      return { stored: true };
    } catch (error) {
      return { stored: false, reason: `the keychain refused it: ${(error as Error).message}` };
    }
  };
  const vaultView = async () => ({
    state: vault.unlocked ? "open" : (await vault.exists()) ? "locked" : "missing",
    home: vault.paths.dir,
    ...(vault.unlocked && vault.unlockedBy ? { unlockedBy: vault.unlockedBy } : {}),
    keychain: await keychainAvailability(),
  });

  return {
    async state(_body: Body) {
      // No vault yet, or a locked one: the page shows the vault-key screen and nothing else.
      if (!vault.unlocked) return { vault: await vaultView() };
      const [secrets, integrations, settings, cache, defs] = await Promise.all([
        vault.secrets.list(),
        vault.integrations.list(),
        vault.settings.get(),
        vault.cache.status(),
        providers(),
      ]);
      return {
        vault: await vaultView(),
        secrets,
        integrations,
        settings: { cacheTtlMinutes: settings.cacheTtlMinutes },
        cache: { entries: cache.entries.length },
        providers: defs.map(providerView),
      };
    },

    /** The one way a value reaches the page: the person asked to see this secret. */
    async view(body: Body) {
      const name = text(body, "name", "the secret's name");
      const [r] = await vault.resolveForMatching([name]);
      if (!r) throw new UiInputError(`No secret named "${name}".`);
      if (!r.ok) return { ok: false, reason: r.reason, message: r.message, fix: r.fix };
      return { ok: true, value: r.value };
    },

    async add(body: Body) {
      const name = text(body, "name", "a name");
      if (await vault.secrets.has(name))
        throw new UiInputError(
          `A secret named "${name}" already exists.`,
          "Edit its value instead, or pick another name.",
        );
      const value = maybeText(body, "value", "value") ?? "";
      const domains = maybeText(body, "domains", "allowed domains");
      const enabled = maybeFlag(body, "enabled", "Enabled") ?? true;
      return vault.secrets.add(name, { value, allowedDomains: domainsOf(domains), enabled });
    },

    async update(body: Body) {
      const name = text(body, "name", "the secret's name");
      const patch: { value?: string; allowedDomains?: string[]; enabled?: boolean } = {};
      const value = maybeText(body, "value", "value");
      const domains = maybeText(body, "domains", "allowed domains");
      const enabled = maybeFlag(body, "enabled", "Enabled");
      if (value === undefined && domains === undefined && enabled === undefined)
        throw new UiInputError(
          `Nothing to change in "${name}".`,
          'Give a new "value", "domains" or "enabled".',
        );
      if (value !== undefined) {
        const s = await vault.secrets.get(name);
        if (s.link)
          throw new UiInputError(
            `"${name}" is linked to ${s.link.integration}; its value lives there.`,
            "Change it in the provider, or unlink it first.",
          );
        patch.value = value;
      }
      if (domains !== undefined) patch.allowedDomains = domainsOf(domains);
      if (enabled !== undefined) patch.enabled = enabled;
      return vault.secrets.update(name, patch);
    },

    async rename(body: Body) {
      return vault.secrets.rename(
        text(body, "from", "the old name"),
        text(body, "to", "a new name"),
      );
    },

    async remove(body: Body) {
      await vault.secrets.delete(text(body, "name", "the secret's name"));
      return { deleted: true };
    },

    /** Validation as the person types: the plugin parses the reference offline. */
    async checkReference(body: Body) {
      const id = text(body, "integration", "an integration");
      const reference = text(body, "reference", "a reference");
      const integ = await vault.integrations.status(id);
      await providers();
      const p = vault.providers.get(integ.provider);
      try {
        const parsed = p.parseReference(reference, { settings: integ.settings });
        return { ok: true, canonical: parsed.canonical };
      } catch (error) {
        if (!isVaultlinkError(error)) throw error;
        return { ok: false, message: error.message, hint: error.hint };
      }
    },

    async link(body: Body) {
      const name = text(body, "name", "the secret's name");
      const integration = text(body, "integration", "an integration");
      const reference = text(body, "reference", "a reference");
      const integ = await vault.integrations.status(integration);
      await providers();
      const jsonKey = optionalText(body, "jsonKey");
      const version = optionalText(body, "version");
      const options = stringRecord(body, "options");
      const domains = optionalText(body, "domains");
      const info = await vault.links.link(name, {
        integration: integ.id,
        reference,
        ...(jsonKey !== undefined ? { jsonKey } : {}),
        ...(version !== undefined ? { version } : {}),
        ...(Object.keys(options).length > 0 ? { options } : {}),
        ...(domains !== undefined ? { allowedDomains: domainsOf(domains) } : {}),
        check: maybeFlag(body, "check", "Check with the provider") ?? true,
      });
      return info;
    },

    async unlink(body: Body) {
      return vault.links.unlink(text(body, "name", "the secret's name"));
    },

    async settings(body: Body) {
      const minutes = body.cacheTtlMinutes;
      if (typeof minutes !== "string" && typeof minutes !== "number")
        throw new UiInputError("Give the cache time in minutes.");
      const s = await vault.settings.set("cache-ttl", String(minutes));
      return { cacheTtlMinutes: s.cacheTtlMinutes };
    },

    async resetCache(_body: Body) {
      const { entries } = await vault.cache.reset();
      return { dropped: entries };
    },

    async connect(body: Body) {
      const provider = text(body, "provider", "a provider");
      await providers();
      const id = optionalText(body, "id");
      const method = optionalText(body, "method");
      const input = {
        provider,
        ...(id !== undefined ? { id } : {}),
        ...(method !== undefined ? { method } : {}),
        options: stringRecord(body, "options"),
      };
      if (interactive(provider, method))
        return startJob((notify) => vault.integrations.connect({ ...input, notify }));
      return vault.integrations.connect(input);
    },

    async reauth(body: Body) {
      const id = text(body, "id", "an integration");
      await providers();
      const method = optionalText(body, "method");
      const input = {
        ...(method !== undefined ? { method } : {}),
        options: stringRecord(body, "options"),
      };
      const current = await vault.integrations.status(id);
      if (interactive(current.provider, method ?? current.authMethod))
        return startJob((notify) => vault.integrations.reauthenticate(id, { ...input, notify }));
      return vault.integrations.reauthenticate(id, input);
    },

    /**
     * An encrypted export (the same file as `vaultlink export`), for the page to save. Plaintext
     * exports stay a terminal-only choice.
     */
    async export(body: Body) {
      const password = typeof body.password === "string" ? body.password : "";
      if (password !== body.repeat)
        throw new UiInputError("The two passwords differ.", "Type the same password twice.");
      checkExportPassword(password);
      const { text: file, secrets } = await vault.exportSecrets({ password });
      const day = new Date().toISOString().slice(0, 10);
      return { file, secrets, fileName: `vaultlink-export-${day}.json` };
    },

    /** Import an export file's text; names that exist follow one policy (skip, replace, rename). */
    async import(body: Body) {
      const file = text(body, "file", "an export file");
      const policy = optionalText(body, "onConflict") ?? "skip";
      if (!CONFLICT_POLICIES.includes(policy as ConflictPolicy))
        throw new UiInputError(
          `"${policy}" is not a conflict policy.`,
          `Choose one of: ${CONFLICT_POLICIES.join(", ")}.`,
        );
      const encrypted = isEncryptedExport(file);
      const password = optionalText(body, "password");
      if (encrypted && password === undefined)
        throw new UiInputError("This export is encrypted: give its password.");
      const payload = await decodeExport(file, password === undefined ? {} : { password });
      return vault.importSecrets(payload, { onConflict: policy as ConflictPolicy });
    },

    /** A background sign-in's messages so far, and its outcome once done (then forgotten). */
    async job(body: Body) {
      const id = text(body, "id", "a sign-in");
      const job = jobs.get(id);
      if (!job) throw new UiInputError("There is no such sign-in.", "Start it again.");
      if (job.done) jobs.delete(id);
      return {
        messages: job.messages,
        done: job.done,
        ...(job.done && !job.error ? { result: job.result } : {}),
        ...(job.error ? { error: job.error } : {}),
      };
    },

    async disconnect(body: Body) {
      const r = await vault.integrations.disconnect(text(body, "id", "an integration"));
      return { unresolved: r.unresolved };
    },

    /**
     * A new vault (`vault create`): its key goes to the page once, to be shown once; it is kept
     * in the OS keychain only when the person asks.
     */
    async vaultCreate(body: Body) {
      // Checked before anything is created: a refusal after it would lose the new key.
      const keep = maybeFlag(body, "keychain", "Keep the key in the OS keychain") ?? false;
      if (await vault.exists())
        throw new UiInputError(
          `There is already a vault in ${vault.paths.dir}.`,
          "Unlock it with its vault key. Lost the key? Reset the vault (every secret is lost).",
        );
      const { vaultKey } = await vault.create();
      return {
        vaultKey,
        home: vault.paths.dir,
        keychain: await keepKey(vaultKey, keep),
      };
    },

    /** Unlock with the key typed in the page (a POST body: never in an address or a log). */
    async vaultUnlock(body: Body) {
      if (vault.unlocked) return { unlocked: true };
      const key = text(body, "key", "the vault key").trim();
      // A wrong key fails before anything is written: core reads and checks, nothing more.
      await vault.unlock(key, { source: "screen" });
      return { unlocked: true };
    },

    /**
     * `vault reset` from the screen: every secret, integration and cached value destroyed and a
     * new key issued. Needs the typed confirmation word, checked here, not only in the page.
     */
    async vaultReset(body: Body) {
      if (body.confirm !== RESET_WORD)
        throw new UiInputError(
          "Resetting destroys every secret and needs confirmation.",
          `Type "${RESET_WORD}" to confirm.`,
        );
      if (!(await vault.exists()))
        throw new UiInputError(
          `There is no vault in ${vault.paths.dir} to reset.`,
          "Create one instead.",
        );
      const keep = maybeFlag(body, "keychain", "Keep the key in the OS keychain") ?? false;
      jobs.clear();
      const { vaultKey } = await vault.reset({ confirm: true });
      return {
        vaultKey,
        home: vault.paths.dir,
        keychain: await keepKey(vaultKey, keep),
      };
    },

    /** Every secret that does not resolve now, with why and the fix (like `vaultlink doctor`). */
    async doctor(_body: Body) {
      await providers();
      const secrets = await vault.secrets.list();
      const results = await Promise.all(
        secrets.map(async (s) => {
          const url = urlFor(s.allowedDomains);
          return { s, r: await vault.resolve(s.name, url ? { url } : {}) };
        }),
      );
      const problems = [];
      for (const { s, r } of results) {
        if (r.ok) continue;
        problems.push({
          name: s.name,
          reason: r.reason,
          message: r.message,
          fix: r.fix,
          ...(s.link ? { integration: s.link.integration } : {}),
        });
      }
      return { problems };
    },
  };
}
