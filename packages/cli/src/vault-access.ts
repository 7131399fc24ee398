import type { KeySource, ProviderDefinition, Vault, WritableKeySource } from "@vaultlink/core";
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
  // Providers whose id is known are registered with core as lazy descriptors: a cached or
  // local secret imports none of them. Core imports and validates one on first use.
  const lazy = registry.knownIds().map((id) =>
    core.lazyProvider({
      id,
      load: async () => {
        await registry.load([id]);
        const p = registry.loaded().find((x) => x.id === id);
        if (!p) throw await registry.missingProvider(id);
        return p.definition;
      },
    }),
  );
  // Plugins whose id is unknown until imported (paths in the config) are imported now.
  const known = new Set(registry.knownIds());
  const eager: ProviderDefinition[] = [];
  if (registry.candidates.some((c) => c.id === undefined)) {
    await registry.load([]);
    for (const p of registry.loaded()) if (!known.has(p.id)) eager.push(p.definition);
  }
  const pluginOptions: Record<string, Record<string, unknown>> = {};
  for (const c of registry.candidates)
    if (c.id && Object.keys(c.options).length > 0) pluginOptions[c.id] = c.options;
  Object.assign(pluginOptions, registry.pluginOptions());

  const dir = core.resolveVaultPaths().dir;
  const sources = await keySources(dir);
  const vault = core.createVault({
    providers: [...lazy, ...eager],
    pluginOptions,
    keySources: sources,
    // No accessPolicy: core's default asks the provider (Vault policies decide team roles).
  });
  // Never throws: a plugin that fails to load is in registry.problems (and core reports it
  // where it is used).
  const ensureProviders = async (ids?: readonly string[]) => {
    await Promise.allSettled((ids ?? vault.providers.ids()).map((id) => vault.providers.load(id)));
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
  await vault.unlock(found.vaultKey, { source: found.source });
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
