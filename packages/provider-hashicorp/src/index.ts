import { defineProvider } from "@vaultlink/core/plugin";
import { AUTH_METHODS } from "./auth/methods.js";
import { HashicorpInstance } from "./instance.js";
import { META, PROVIDER_ID } from "./meta.js";
import { parseKvVersion, parseReference, REFERENCE_EXAMPLES } from "./reference.js";
import { SETTINGS } from "./settings.js";
import { ADMIN_SETUP } from "./setup.js";

/**
 * HashiCorp Vault (KV v1 and v2). A team integration: an admin sets the address, namespace,
 * auth method, mount and role; each member signs in personally.
 */
const hashicorp = defineProvider({
  apiVersion: 1,
  meta: META,
  id: PROVIDER_ID,
  title: "HashiCorp Vault",
  scope: "team",
  authMethods: AUTH_METHODS,
  settings: SETTINGS,
  capabilities: { batch: true, versions: true, jsonKey: true },
  referenceExamples: REFERENCE_EXAMPLES,
  parseReference,
  parseVersion: parseKvVersion,
  create: (ctx) => new HashicorpInstance(ctx),
  adminSetup: ADMIN_SETUP,
});

export default hashicorp;
export { AUTH_METHODS, OIDC_PORTS, POSTMAN_JWT_MOUNT, POSTMAN_ROLE } from "./auth/methods.js";
export {
  formatReference,
  parseKvVersion,
  parseReference,
  REFERENCE_EXAMPLES,
  type VaultReference,
} from "./reference.js";
export { RENEW_FRACTION, type VaultCredentials } from "./session.js";
export { DEFAULT_TEAM_PATH, readSettings, SETTINGS, type VaultSettings } from "./settings.js";
export { ADMIN_SETUP, DEFAULT_POLICY, REDIRECT_URIS, runSetup } from "./setup.js";
export { TEAM_SETTINGS, VaultTeamAuthority } from "./team.js";
