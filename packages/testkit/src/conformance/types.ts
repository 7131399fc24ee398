import type { ProviderDefinition } from "@vaultlink/core/plugin";

type Body = () => Promise<void> | void;

/**
 * The test functions the suite registers its tests with, taken from the caller so the
 * testkit never imports a test runner. vitest's and jest's globals fit as they are.
 */
export interface ConformanceTestApi {
  describe: (name: string, fn: () => void) => unknown;
  it: (name: string, fn: () => Promise<void>, timeout?: number) => unknown;
  beforeAll: (fn: Body, timeout?: number) => unknown;
  afterAll: (fn: Body, timeout?: number) => unknown;
  /** Accepted so `{ describe, it, expect, beforeAll, afterAll }` can be passed whole; the
   * checks throw their own errors and do not need it. */
  expect?: unknown;
}

/** Make the next fetches fail the named way, through the real service or its emulator. */
export interface ConformanceFaults {
  /** Next fetches fail AUTH_EXPIRED. */
  expireCredentials(): Promise<void>;
  /** Next fetches fail PERMISSION_DENIED. */
  denyPermission(): Promise<void>;
  /** Next fetches fail THROTTLED. */
  throttle(): Promise<void>;
  /** Next fetches fail UNREACHABLE. */
  makeUnreachable(): Promise<void>;
  /** Back to normal; a fresh sign-in must work again afterwards. */
  clear(): Promise<void>;
}

/** Everything the suite needs to drive one provider. Built fresh by the caller's factory. */
export interface ConformanceHarness {
  /** The plugin's default export. */
  provider: ProviderDefinition;
  /** A sign-in that works against the service the harness set up. */
  authenticate: {
    method: string;
    settings: Record<string, unknown>;
    secrets: Record<string, unknown>;
  };
  /** Integration settings handed to the provider in `ctx.integration.settings`. */
  settings?: Record<string, unknown>;
  /** Handed to the provider in `ctx.pluginOptions`. */
  pluginOptions?: Record<string, unknown>;
  faults: ConformanceFaults;
  /** Called once, after the last test (not after each), to stop servers the factory started. */
  stop?(): Promise<void>;
}

export type ConformanceFactory = () => Promise<ConformanceHarness>;

/** Data that exists in the service the harness set up. */
export interface ConformanceFixtures {
  /** References `parseReference` accepts; each canonical form must parse to itself. */
  validReferences: string[];
  /** References `parseReference` rejects with INVALID_REFERENCE. */
  invalidReferences: string[];
  /** At least two existing secrets with distinct values. */
  secrets: Array<{ reference: string; value: string }>;
  /** A valid reference to a secret that does not exist. */
  missingReference: string;
  /** A secret whose value is a JSON object; core's extractJsonKey(value, key) gives `expected`. */
  json?: { reference: string; key: string; expected: string };
  /** Versions to fetch; required when `capabilities.versions`, absent otherwise. */
  versions?: Array<{ reference: string; version: string; value: string }>;
}

export interface ConformanceOptions {
  /** Name of the describe block; default "vaultlink provider conformance". */
  name?: string;
  /** Per-test and per-hook timeout in ms, for slow emulators. Runner default otherwise. */
  timeout?: number;
}
