import { defineProvider } from "@vaultlink/core/plugin";
import { AUTH_METHODS } from "./auth/methods.js";
import { OnePasswordInstance } from "./instance.js";
import { META, PROVIDER_ID } from "./meta.js";
import { parseReference, REFERENCE_EXAMPLES } from "./reference.js";
import { SETTINGS } from "./settings.js";

/** vaultlink provider for 1Password: service account (SDK), Connect server, desktop app. */
const onePassword = defineProvider({
  apiVersion: 1,
  meta: META,
  id: PROVIDER_ID,
  title: "1Password",
  scope: "personal",
  authMethods: AUTH_METHODS,
  settings: SETTINGS,
  capabilities: { batch: true, versions: false, jsonKey: true },
  referenceExamples: REFERENCE_EXAMPLES,
  parseReference,
  create: (ctx) => new OnePasswordInstance(ctx, META.version),
});

export default onePassword;

export { checkServiceAccountToken } from "./auth/service-account.js";
export {
  type ClientConfiguration,
  SDK_CLIENT_FACTORY_OPTION,
  type SdkClientFactory,
} from "./client.js";
export {
  comparisonKey,
  formatReference,
  isOnePasswordId,
  type OnePasswordReference,
  parseReference,
} from "./reference.js";
