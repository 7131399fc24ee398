import {
  type OptionSpec,
  PROVIDER_BRAND,
  type ProviderDefinition,
  type ProviderDefinitionInput,
} from "./contract.js";
import { CORE_SETTINGS } from "./core-settings.js";

/**
 * The provider's settings followed by core's own (`timeoutSeconds`, `concurrency`), so hosts show, prompt
 * for and check them like any other setting. A provider that declares one of core's names
 * keeps its own declaration.
 */
export function withCoreSettings(settings: readonly OptionSpec[] = []): OptionSpec[] {
  const own = new Set(settings.map((s) => s.name));
  return [...settings, ...CORE_SETTINGS.filter((s) => !own.has(s.name))];
}

/** Declare a provider plugin. Default-export the result from the plugin package. */
export function defineProvider(input: ProviderDefinitionInput): ProviderDefinition {
  return Object.freeze({
    ...input,
    settings: withCoreSettings(input.settings),
    brand: PROVIDER_BRAND,
  });
}
