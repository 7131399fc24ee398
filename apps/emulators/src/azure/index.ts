export {
  generateClientCertificate,
  generateTestCertificates,
  issueServerCertificate,
  type TestCertificates,
  writeCaFile,
} from "./certificates.js";
export {
  type AzureEmulatorOptions,
  type RunningAzureEmulator,
  startAzureEmulator,
  startAzureVaults,
} from "./emulator.js";
export { AZURE_FAULTS, type AzureFault, KEY_VAULT_RESOURCE } from "./errors.js";
export {
  type AuthorityKind,
  AzureIdentity,
  type AzureIdentityOptions,
  CONSUMERS_TENANT_ID,
  DEFAULT_TENANT_ID,
  type FederatedCredential,
  type ServicePrincipal,
} from "./identity.js";
export {
  type AzureCliStandInOptions,
  browserFinished,
  browserStandInEnv,
  writeAzureCliStandIn,
  writeBrowserStandIn,
} from "./stand-ins.js";
export type { AzureSecretSeed, SeedSecretOptions } from "./store.js";
export {
  AZURE_DEVELOPER_CLIENT_ID,
  DEFAULT_USER,
  type DirectoryUser,
  s256,
} from "./user-sign-in.js";
