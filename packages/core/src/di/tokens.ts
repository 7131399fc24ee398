import type { InjectionToken } from "tsyringe";
import type { AccessPolicy } from "../access/access-policy.js";
import type { CachePersistence } from "../cache/types.js";
import type { EventBus } from "../events/index.js";
import type { Clock, Logger, ProviderDefinition } from "../plugin/contract.js";
import type { LazyProvider } from "../plugin/lazy-provider.js";
import type { KeySource, VaultFileStore, VaultSession } from "../vault/types.js";

/**
 * The services a vault instance is made of. Embedders replace any of them in
 * `createVault({ configure(container) { container.register(Tokens.Logger, { useValue }) } })`:
 * `configure` runs after the defaults are registered and before the vault is built.
 */
export const Tokens = {
  Clock: Symbol.for("vaultlink.Clock") as InjectionToken<Clock>,
  Logger: Symbol.for("vaultlink.Logger") as InjectionToken<Logger>,
  Events: Symbol.for("vaultlink.Events") as InjectionToken<EventBus>,
  Storage: Symbol.for("vaultlink.Storage") as InjectionToken<VaultFileStore>,
  KeySources: Symbol.for("vaultlink.KeySources") as InjectionToken<readonly KeySource[]>,
  AccessPolicy: Symbol.for("vaultlink.AccessPolicy") as InjectionToken<AccessPolicy>,
  Providers: Symbol.for("vaultlink.Providers") as InjectionToken<
    readonly (ProviderDefinition | LazyProvider)[]
  >,
  PluginOptions: Symbol.for("vaultlink.PluginOptions") as InjectionToken<
    Record<string, Record<string, unknown>>
  >,
  CachePersistence: Symbol.for("vaultlink.CachePersistence") as InjectionToken<
    (session: VaultSession) => CachePersistence
  >,
} as const;
