export { type ErrorCode, ErrorCodes, type ProviderErrorCode } from "./codes.js";
export {
  isVaultlinkError,
  VaultlinkError,
  type VaultlinkErrorOptions,
  vaultlinkError,
} from "./vaultlink-error.js";
