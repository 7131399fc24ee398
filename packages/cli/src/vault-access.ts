import type { KeySource, ProviderDefinition, Vault, WritableKeySource } from "@vaultlink/core";
import { CliError, ExitCode } from "./errors.js";
import { askSecret } from "./io/input.js";
import { interactive } from "./io/term.js";
import { loadConfigOrDefaults } from "./plugins/config.js";
import { PluginRegistry } from "./plugins/registry.js";

export interface GlobalOptions {
  debug?: boolean;
}

export interface KeySourceReport {
  id: string;
  available: boolean;
  reason?: string;
}

export interface OpenedVault {
  vault: Vault;
  /** The key that opened the vault (for `vault key show`, export and import). */
  vaultKey: string;
  /** Which key source gave it: env, keychain, prompt or argument. */
  source: string;
  registry: PluginRegistry;
  /** Import the providers with these ids (or all) so links of those integrations work. */
  ensureProviders(ids?: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * A provider stand-in for createVault: core validates it and keeps it, but the plugin's module
 * is imported only when something needs more than its id (ensureProviders, or `create`).
 * This keeps `read` of a cached or local secret free of every provider import.
 */
function lazyDefinition(
  id: string,
  hydrate: (id: string) => Promise<ProviderDefinition | undefined>,
): {
  def: ProviderDefinition;
  set(real: ProviderDefinition): void;
} {
  let real: ProviderDefinition | undefined;
  const stub: Record<string, unknown> = {
    brand: "vaultlink.provider",
    apiVersion: 1,
    id,
    title: id,
    meta: { name: id, version: "0.0.0" },
    authMethods: [{ id: "default", title: "default", options: [] }],
    capabilities: { batch: false, versions: false },
    referenceExamples: [],
    parseReference() {
      throw new CliError(`The ${id} provider plugin is not loaded.`, { exitCode: ExitCode.other });
    },
    async create(ctx: unknown) {
      const r = real ?? (await hydrate(id));
      if (!r)
        throw new CliError(`The ${id} provider plugin could not be loaded.`, {
          hint: "See vaultlink plugins list.",
          exitCode: ExitCode.other,
        });
      return r.create(ctx as never);
    },
  };
  const def = new Proxy(stub, {
    get: (target, prop) =>
      real ? (real as unknown as Record<string | symbol, unknown>)[prop] : target[prop as string],
    has: (target, prop) => (real ? prop in real : prop in target),
  }) as unknown as ProviderDefinition;
  return { def, set: (r) => (real = r) };
}

export function keychainFor(dir: string): Promise<WritableKeySource> {
  return import("@vaultlink/core").then(
    (core) => core.keychainKeySource({ account: dir }) as WritableKeySource,
  );
}

/** The key sources in unlock order: env, OS keychain, masked prompt on a terminal. */
export async function keySources(dir: string): Promise<KeySource[]> {
  const core = await import("@vaultlink/core");
  return [
    core.envKeySource(),
    await keychainFor(dir),
    core.promptKeySource(() => askSecret("Vault key (vlk_…)"), {
      available: interactive,
      unavailableReason: "no interactive terminal to ask on",
    }),
  ];
}

/** Walk the key sources; collect why each one that gave nothing did not. */
export async function findVaultKey(
  sources: readonly KeySource[],
): Promise<{ key: string; source: string } | { reports: KeySourceReport[] }> {
  const reports: KeySourceReport[] = [];
  for (const s of sources) {
    let a: Awaited<ReturnType<KeySource["availability"]>>;
    try {
      a = await s.availability();
    } catch (error) {
      reports.push({ id: s.id, available: false, reason: (error as Error).message });
      continue;
    }
    if (!a.available) {
      reports.push({ id: s.id, available: false, reason: a.reason });
      continue;
    }
    let key: string | undefined;
    try {
      key = await s.load();
    } catch (error) {
      if ((error as { code?: string }).code === "CANCELLED") throw error;
      reports.push({ id: s.id, available: false, reason: (error as Error).message });
      continue;
    }
    if (key) return { key, source: s.id };
    reports.push({ id: s.id, available: true, reason: "holds no vault key for this vault" });
  }
  return { reports };
}

export function lockedError(dir: string, reports: readonly KeySourceReport[]): Error {
  const why = reports.map((r) => `${r.id}: ${r.reason ?? "no key"}`).join("; ");
  return Object.assign(
    new CliError(`The vault in ${dir} is locked: no vault key found (${why}).`, {
      hint: "Set VAULTLINK_VAULT_KEY, store the key with vaultlink vault key store, or run on a terminal to type it.",
      exitCode: ExitCode.vault,
      code: "VAULT_LOCKED",
    }),
  );
}

export interface OpenOptions {
  global: GlobalOptions;
  /** Unlock the vault (default true). */
  unlock?: boolean;
  /** Import these providers at once (all when "all"). Otherwise only when needed. */
  providers?: "all" | readonly string[];
  /** Unlock with this key instead of asking the key sources (`agent run --key-stdin`). */
  vaultKey?: string;
}

export async function openVault(options: OpenOptions): Promise<OpenedVault> {
  const core = await import("@vaultlink/core");
  const config = loadConfigOrDefaults((text) => process.stderr.write(`${text}\n`));
  const registry = new PluginRegistry(config);
  const lazies = new Map<string, ReturnType<typeof lazyDefinition>>();
  const hydrate = async (id: string) => {
    await registry.load([id]);
    const p = registry.loaded().find((x) => x.id === id);
    if (p) lazies.get(id)?.set(p.definition);
    return p?.definition;
  };
  for (const id of registry.knownIds()) lazies.set(id, lazyDefinition(id, hydrate));
  // Plugins whose id is unknown until imported (paths in the config) are imported now.
  const unknownIds = registry.candidates.filter((c) => c.id === undefined);
  const eager: ProviderDefinition[] = [];
  if (unknownIds.length > 0) {
    await registry.load([]);
    for (const p of registry.loaded()) if (!lazies.has(p.id)) eager.push(p.definition);
  }
  const pluginOptions: Record<string, Record<string, unknown>> = {};
  for (const c of registry.candidates)
    if (c.id && Object.keys(c.options).length > 0) pluginOptions[c.id] = c.options;
  Object.assign(pluginOptions, registry.pluginOptions());

  const dir = core.resolveVaultPaths().dir;
  const sources = await keySources(dir);
  const vault = core.createVault({
    providers: [...[...lazies.values()].map((l) => l.def), ...eager],
    pluginOptions,
    keySources: sources,
    // No accessPolicy: core's default asks the provider (Vault policies decide team roles).
  });
  const ensureProviders = async (ids?: readonly string[]) => {
    await registry.load(ids);
    for (const p of registry.loaded()) lazies.get(p.id)?.set(p.definition);
  };
  if (options.providers)
    await ensureProviders(options.providers === "all" ? undefined : options.providers);
  const opened: OpenedVault = {
    vault,
    vaultKey: "",
    source: "",
    registry,
    ensureProviders,
    close: () => vault.dispose(),
  };
  if (options.unlock === false) return opened;
  await core.checkVaultDir(dir);
  if (!(await vault.exists())) throw await core.vaultNotFoundError(vault.paths);
  const found =
    options.vaultKey !== undefined
      ? { key: options.vaultKey, source: "starter" }
      : await findVaultKey(sources);
  if ("reports" in found) throw lockedError(dir, found.reports);
  await vault.unlock(found.key);
  opened.vaultKey = found.key;
  opened.source = found.source;
  return opened;
}

/**
 * Providers needed to resolve these secrets now: those of linked secrets without a fresh
 * cached value. A cached or local secret needs none.
 */
export async function providersNeeded(
  opened: OpenedVault,
  names: readonly string[],
): Promise<string[]> {
  const { vault } = opened;
  const secrets = await vault.secrets.list();
  const wanted = new Set(names);
  const linked = secrets.filter((s) => wanted.has(s.name) && s.link && s.enabled);
  if (linked.length === 0) return [];
  const ttl = (await vault.settings.get()).cacheTtlMinutes;
  const fresh = new Set<string>();
  if (ttl > 0) {
    const status = await vault.cache.status();
    for (const e of status.entries) if (!e.expired) for (const n of e.names) fresh.add(n);
  }
  const integrations = new Map((await vault.integrations.list()).map((i) => [i.id, i.provider]));
  const ids = new Set<string>();
  for (const s of linked) {
    if (fresh.has(s.name)) continue;
    const provider = integrations.get(s.link?.integration ?? "");
    if (provider) ids.add(provider);
  }
  return [...ids];
}
