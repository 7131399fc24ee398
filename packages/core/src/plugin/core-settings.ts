import {
  DEFAULT_TIMEOUT_SECONDS,
  MAX_TIMEOUT_SECONDS,
  MIN_TIMEOUT_SECONDS,
  TIMEOUT_OPTION,
} from "../deadline/deadline.js";
import type { OptionSpec } from "./contract.js";

/** The core-level option that caps how many requests one fetch has in flight. */
export const CONCURRENCY_OPTION = "concurrency";
export const MIN_CONCURRENCY = 1;
export const MAX_CONCURRENCY = 64;

/**
 * Settings core adds to every provider's settings (`defineProvider`, option checks): the
 * request deadline and the concurrency cap. Core checks them (whole numbers in range) and
 * parses them once into `ctx.requestTimeoutMs` and `ctx.concurrency`.
 */
export const CORE_SETTINGS: readonly OptionSpec[] = [
  {
    name: TIMEOUT_OPTION,
    title: "Request timeout (seconds)",
    type: "integer",
    min: MIN_TIMEOUT_SECONDS,
    max: MAX_TIMEOUT_SECONDS,
    description: `How long one call to the provider may take before it fails as timed out (default ${DEFAULT_TIMEOUT_SECONDS}).`,
  },
  {
    name: CONCURRENCY_OPTION,
    title: "Parallel requests",
    type: "integer",
    min: MIN_CONCURRENCY,
    max: MAX_CONCURRENCY,
    description:
      "How many requests one fetch sends to the provider at once (default: the provider's own, see its page).",
  },
];

function wholeNumberOf(value: unknown): number | undefined {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  return typeof n === "number" && Number.isFinite(n) && n >= MIN_CONCURRENCY
    ? Math.min(Math.floor(n), MAX_CONCURRENCY)
    : undefined;
}

/**
 * The concurrency cap of one integration: its setting, else the plugin's option (host
 * config), else undefined (the provider's default applies). Parsed here once; providers read
 * `ctx.concurrency`. A stored value that is not a whole number of at least 1 counts as unset.
 */
export function concurrencyOf(
  settings: Readonly<Record<string, unknown>>,
  pluginOptions: Readonly<Record<string, unknown>>,
): number | undefined {
  return (
    wholeNumberOf(settings[CONCURRENCY_OPTION]) ?? wholeNumberOf(pluginOptions[CONCURRENCY_OPTION])
  );
}
