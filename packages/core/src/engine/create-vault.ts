import { type AccessPolicy, providerAccessPolicy } from "../access/access-policy.js";
import { fileCachePersistence } from "../cache/file-persistence.js";
import type { CachePersistence } from "../cache/types.js";
import { createChildContainer, type DependencyContainer } from "../di/container.js";
import { Tokens } from "../di/tokens.js";
import { createEventBus } from "../events/index.js";
import type { Clock, Logger, ProviderDefinition } from "../plugin/contract.js";
import {
  isLazyProvider,
  type LazyProvider,
  validateLazyProvider,
} from "../plugin/lazy-provider.js";
import { validateProvider } from "../plugin/validate.js";
import { defaultKeySources, FileVaultStore, resolveVaultPaths } from "../vault/index.js";
import type { KeySource, VaultFileStore, VaultSession } from "../vault/types.js";
import { silentLogger, systemClock } from "./logger.js";
import { Vault } from "./vault.js";

export interface CreateVaultOptions {
  /** Directory of the vault files. Default: VAULTLINK_HOME, else the user's data directory. */
  home?: string;
  /**
   * Provider plugins: their default exports, or lazy descriptors (`lazyProvider`) whose module
   * is imported on first use. Each is validated (a lazy one again when it loads).
   */
  providers?: readonly (ProviderDefinition | LazyProvider)[];
  /** Options per provider id, handed to the plugin as `ctx.pluginOptions`. */
  pluginOptions?: Record<string, Record<string, unknown>>;
  /** Where the vault key comes from, in order. Default: env, OS keychain, then `prompt`. */
  keySources?: readonly KeySource[];
  /** Ask the person for the vault key (last key source). */
  prompt?: () => Promise<string | undefined>;
  clock?: Clock;
  logger?: Logger;
  /**
   * Who may manage team integrations. Default: whoever the provider's own access control
   * says is an admin (HashiCorp: Vault policies on the team setup).
   */
  accessPolicy?: AccessPolicy;
  storage?: VaultFileStore;
  /** Where cached values persist. Default: an encrypted file next to the vault. */
  cachePersistence?: (session: VaultSession) => CachePersistence;
  /** How long a read document is trusted before the file is checked again (ms). */
  freshnessMs?: number;
  /** Register or replace anything else in this vault's container before it is built. */
  configure?: (container: DependencyContainer) => void;
}

/**
 * The composition root for embedders: one child container per vault, filled with factories
 * and values (no decorators), then the Vault facade. Nothing is registered globally.
 */
export function createVault(options: CreateVaultOptions = {}): Vault {
  const c = createChildContainer();
  const paths = resolveVaultPaths(options.home ? { home: options.home } : {});
  const providers = (options.providers ?? []).map((p, i) =>
    isLazyProvider(p)
      ? validateLazyProvider(p, `provider #${i + 1}`)
      : validateProvider(p, `provider #${i + 1}`),
  );
  c.register(Tokens.Clock, { useValue: options.clock ?? systemClock });
  c.register(Tokens.Logger, { useValue: options.logger ?? silentLogger });
  c.register(Tokens.Events, { useValue: createEventBus() });
  c.register(Tokens.Providers, { useValue: providers });
  c.register(Tokens.PluginOptions, { useValue: options.pluginOptions ?? {} });
  c.register(Tokens.Storage, {
    useFactory: () => options.storage ?? new FileVaultStore({ paths }),
  });
  c.register(Tokens.KeySources, {
    useFactory: () =>
      options.keySources ??
      defaultKeySources({
        account: paths.dir,
        ...(options.prompt ? { prompt: { ask: options.prompt } } : {}),
      }).sources,
  });
  c.register(Tokens.AccessPolicy, {
    useValue: options.accessPolicy ?? providerAccessPolicy(),
  });
  c.register(Tokens.CachePersistence, {
    useValue:
      options.cachePersistence ??
      ((session: VaultSession) => fileCachePersistence(session.paths.cacheFile, session.cacheKey)),
  });
  options.configure?.(c);
  return new Vault(
    c,
    options.freshnessMs !== undefined ? { freshnessMs: options.freshnessMs } : {},
  );
}
