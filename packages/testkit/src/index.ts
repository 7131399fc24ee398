export { ConformanceError } from "./conformance/assert.js";
export { type ConformanceCheck, conformanceChecks } from "./conformance/checks.js";
export {
  type ConformanceReport,
  describeProviderConformance,
  runConformanceChecks,
} from "./conformance/describe.js";
export {
  ConformanceRun,
  type FetchOutcome,
  type ObservedFailure,
  type SignedIn,
} from "./conformance/run.js";
export type {
  ConformanceFactory,
  ConformanceFaults,
  ConformanceFixtures,
  ConformanceHarness,
  ConformanceOptions,
  ConformanceTestApi,
} from "./conformance/types.js";
export { FakeClock, systemClock } from "./context/fake-clock.js";
export {
  createRecordingLogger,
  type LogLevel,
  type LogLine,
  type RecordingLogger,
} from "./context/recording-logger.js";
export {
  createTestContext,
  type TestContext,
  type TestContextOverrides,
} from "./context/test-context.js";
export { vaultlinkRejection } from "./expect/rejection.js";
export {
  expectLazySdk,
  type LazySdkOptions,
  type LazySdkProbe,
  type LazySdkReport,
  sdkModulesLoadedBy,
} from "./lazy/lazy-sdk.js";
export {
  type MemoryHarness,
  memoryFixtures,
  memoryHarness,
  seedMemoryFixtures,
} from "./memory/harness.js";
export {
  createMemoryProvider,
  MEMORY_AUTH_METHOD,
  type MemoryCalls,
  type MemoryFaults,
  type MemoryProvider,
  type MemoryProviderOptions,
} from "./memory/provider.js";
export { parseMemoryReference } from "./memory/references.js";
export type { MemoryStore } from "./memory/store.js";
export {
  createTcpGate,
  type TcpGate,
  type TcpGateCloseMode,
  type TcpGateTarget,
} from "./net/tcp-gate.js";
export {
  collectStrings,
  expectNoSecretIn,
  findSecretsIn,
  MIN_SECRET_LENGTH,
  type SecretMatch,
} from "./secrets/find-secrets.js";
