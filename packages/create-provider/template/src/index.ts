import { defineProvider } from "@vaultlink/core/plugin";
import { AUTH_METHODS } from "./auth/methods.js";
import { createInstance } from "./instance.js";
import { META, PROVIDER_ID, PROVIDER_TITLE } from "./meta.js";
import { parseServiceReference, REFERENCE_EXAMPLES } from "./reference.js";
import { SETTINGS } from "./settings.js";

/** __PROVIDER_TITLE__: secrets from an HTTP secrets service. */
export default defineProvider({
  apiVersion: 1,
  meta: META,
  id: PROVIDER_ID,
  title: PROVIDER_TITLE,
  authMethods: AUTH_METHODS,
  settings: SETTINGS,
  capabilities: { batch: false, versions: false, jsonKey: true },
  referenceExamples: REFERENCE_EXAMPLES,
  parseReference: parseServiceReference,
  create: createInstance,
});

export { API_KEY_ENV, AUTH_METHODS } from "./auth/methods.js";
export { PROVIDER_ID } from "./meta.js";
export { parseServiceReference, type ServiceReference } from "./reference.js";
