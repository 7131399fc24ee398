export { CORE_SETTINGS } from "../plugin/core-settings.js";
export {
  DEFAULT_TIMEOUT_SECONDS,
  formatSeconds,
  LEGACY_TIMEOUT_MS_OPTIONS,
  MAX_TIMEOUT_SECONDS,
  MIN_TIMEOUT_SECONDS,
  type PauseDeadline,
  requestTimeoutMsOf,
  TIMEOUT_OPTION,
  timedOut,
  withDeadline,
  withPausableDeadline,
} from "./deadline.js";
