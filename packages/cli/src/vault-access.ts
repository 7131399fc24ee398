import type { KeySource, ProviderDefinition, Vault, WritableKeySource } from "@vaultlink/core";
import { CliError, ExitCode } from "./errors.js";
import { askSecret } from "./io/input.js";
import { interactive } from "./io/term.js";
import { loadConfigOrDefaults } from "./plugins/config.js";
import { PluginRegistry } from "./plugins/registry.js";

export interface GlobalOptions {
  debug?: boolean;
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
    (core) => core.defaultKeySources({ account: dir }).keychain,
  );
}

/** The key sources in unlock order (core's): env, OS keychain, masked prompt on a terminal. */
export async function keySources(dir: string): Promise<KeySource[]> {
  const core = await import("@vaultlink/core");
  return core.defaultKeySources({
    account: dir,
    prompt: { ask: () => askSecret("Vault key (vlk_…)"), available: interactive },
  }).sources;
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
      ? { vaultKey: options.vaultKey, source: "starter" }
      : await unlockKey(sources, dir);
  await vault.unlock(found.vaultKey);
  opened.vaultKey = found.vaultKey;
  opened.source = found.source;
  return opened;
}

/** The vault key from the first key source that has one (core decides), else VAULT_LOCKED. */
export async function unlockKey(
  sources: readonly KeySource[],
  dir: string,
): Promise<{ vaultKey: string; source: string }> {
  const core = await import("@vaultlink/core");
  const { found, outcomes } = await core.reportKeySources(sources);
  if (found) return found;
  throw core.lockedVaultError(
    outcomes.map((o) => ({ source: o.source, reason: o.reason ?? "it holds no vault key" })),
    dir,
  );
}
