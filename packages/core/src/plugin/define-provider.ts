import {
  PROVIDER_BRAND,
  type ProviderDefinition,
  type ProviderDefinitionInput,
} from "./contract.js";

/** Declare a provider plugin. Default-export the result from the plugin package. */
export function defineProvider(input: ProviderDefinitionInput): ProviderDefinition {
  return Object.freeze({ ...input, brand: PROVIDER_BRAND });
}
