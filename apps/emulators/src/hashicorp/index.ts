// Generic names get a Vault prefix here, so they cannot clash with other emulators' exports.
export type {
  AppRoleSpec as VaultAppRoleSpec,
  AuthMethod as VaultAuthMethod,
  JwtAuthConfig as VaultJwtAuthConfig,
  JwtRoleSpec as VaultJwtRoleSpec,
  LoginSettings as VaultLoginSettings,
  OidcRoleSpec as VaultOidcRoleSpec,
  OidcUser as VaultOidcUser,
  UserSpec as VaultUserSpec,
} from "./auth-methods.js";
export {
  signInAtVaultUi,
  type VaultUiLogin,
  type VaultUiResult,
  writeVaultBrowserStandIn,
} from "./browser.js";
export {
  type CreateTokenOptions as VaultCreateTokenOptions,
  type HashicorpEmulator,
  type HashicorpEmulatorOptions,
  type NamespaceOption as VaultNamespaceOption,
  startHashicorpEmulator,
} from "./emulator.js";
export { VAULT_FAULTS, type VaultFault } from "./faults.js";
export {
  PolicyParseError as VaultPolicyParseError,
  parsePolicyText as parseVaultPolicy,
} from "./hcl-policy.js";
export type { SecretData as VaultSecretData } from "./kv-v1.js";
export {
  OIDC_STATE_TTL_MS as VAULT_OIDC_STATE_TTL_MS,
  type OidcSignInChoice as VaultOidcSignInChoice,
} from "./oidc.js";
export { UI_TOKEN_COOKIE as VAULT_UI_TOKEN_COOKIE } from "./oidc-provider-ui.js";
export type { Capability as VaultCapability, VaultPolicy } from "./policies.js";
export type { KvOperation as VaultKvOperation, VaultRoute } from "./route.js";
export { VaultState, type VaultStateOptions } from "./state.js";
export type { TokenOptions as VaultTokenOptions } from "./tokens.js";
