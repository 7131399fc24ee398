import { defineProvider } from "@vaultlink/core/plugin";
import { CONNECT_METHOD } from "./auth/connect.js";
import { DESKTOP_METHOD } from "./auth/desktop.js";
import { SERVICE_ACCOUNT_METHOD } from "./auth/service-account.js";
import { OnePasswordInstance } from "./instance.js";
import { meta } from "./meta.js";
import { PROVIDER_ID, parseReference, REFERENCE_EXAMPLES } from "./reference.js";

/** vaultlink provider for 1Password: service account (SDK), Connect server, desktop app. */
const onePassword = defineProvider({
  apiVersion: 1,
  meta,
  id: PROVIDER_ID,
  title: "1Password",
  scope: "personal",
  authMethods: [SERVICE_ACCOUNT_METHOD, CONNECT_METHOD, DESKTOP_METHOD],
  capabilities: { batch: true, versions: false, jsonKey: true },
  referenceExamples: REFERENCE_EXAMPLES,
  parseReference,
  create: (ctx) => new OnePasswordInstance(ctx, meta.version),
});

export default onePassword;

export { checkServiceAccountToken } from "./auth/service-account.js";
export {
  comparisonKey,
  formatReference,
  isOnePasswordId,
  type OnePasswordReference,
  parseReference,
} from "./reference.js";
export {
  type ClientConfiguration,
  SDK_CLIENT_FACTORY_OPTION,
  type SdkClientFactory,
} from "./sdk/client.js";
