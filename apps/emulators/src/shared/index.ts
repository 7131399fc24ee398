export { EmulatorControlClient } from "./control-client.js";
export {
  FaultController,
  type FaultRule,
  type RawFault,
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
