import type { Logger } from "../plugin/contract.js";

/** The default logger: silent. Hosts pass their own. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

export const systemClock = { now: () => Date.now() };
