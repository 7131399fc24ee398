export {
  type OnePasswordConnectOptions,
  type RunningOnePasswordConnect,
  startOnePasswordConnectEmulator,
} from "./emulator.js";
export { ONEPASSWORD_FAULTS, type OnePasswordFault } from "./errors.js";
export { ID_PATTERN as ONEPASSWORD_ID_PATTERN, newId as newOnePasswordId } from "./ids.js";
export type { ItemSeed, OpField, OpItem, OpSection, OpVault } from "./store.js";
