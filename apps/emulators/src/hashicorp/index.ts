export type {
  AppRoleSpec,
  AuthMethod,
  JwtRoleSpec,
  LoginSettings,
  UserSpec,
} from "./auth-methods.js";
export {
  type CreateTokenOptions,
  type HashicorpEmulator,
  type HashicorpEmulatorOptions,
  type NamespaceOption,
  startHashicorpEmulator,
} from "./emulator.js";
export { VAULT_FAULTS, type VaultFault } from "./faults.js";
export type { SecretData } from "./kv-v1.js";
export type { Capability, VaultPolicy } from "./policies.js";
export type { KvOperation, VaultRoute } from "./route.js";
export { VaultState, type VaultStateOptions } from "./state.js";
export type { TokenOptions } from "./tokens.js";
