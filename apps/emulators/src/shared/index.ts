export { EmulatorControlClient } from "./control-client.js";
export {
  FaultController,
  type FaultRule,
  type RawFault,
  REQUEST_PLACEHOLDER,
  RequestCounter,
} from "./faults.js";
export {
  CONTROL_PREFIX,
  type EmulatorRequest,
  type EmulatorResponse,
  type EmulatorSpec,
  type RunningEmulator,
  startEmulatorServer,
} from "./server.js";
