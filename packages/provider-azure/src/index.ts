import { defineProvider } from "@vaultlink/core/plugin";
import { AUTH_METHODS } from "./auth/methods.js";
import { createAzureInstance } from "./instance.js";
import { META, PROVIDER_ID } from "./meta.js";
import { parseAzureVersion, parseForIntegration, REFERENCE_EXAMPLES } from "./reference.js";
import { SETTINGS } from "./settings.js";

/** Azure Key Vault secrets for vaultlink. */
const azure = defineProvider({
  apiVersion: 1,
  meta: META,
  id: PROVIDER_ID,
  title: "Azure Key Vault",
  scope: "personal",
  authMethods: AUTH_METHODS,
  settings: SETTINGS,
  capabilities: { batch: false, versions: true, jsonKey: true },
  referenceExamples: REFERENCE_EXAMPLES,
  parseReference: parseForIntegration,
  parseVersion: parseAzureVersion,
  create: createAzureInstance,
});

export default azure;

export type { AuthMethodId } from "./auth/methods.js";
export { AUTH_METHODS } from "./auth/methods.js";
export { type AzureCloud, CLOUDS, type CloudId } from "./clouds.js";
export {
  type AzureReference,
  formatAzureReference,
  parseAzureReference,
  parseAzureVersion,
} from "./reference.js";
export type { AzurePluginOptions } from "./settings.js";
