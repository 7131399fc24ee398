import {
  type Clock,
  concurrencyOf,
  type ProviderContext,
  type ProviderSession,
  requestTimeoutMsOf,
} from "@vaultlink/core/plugin";
import { FakeClock } from "./fake-clock.js";
import { createRecordingLogger, type RecordingLogger } from "./recording-logger.js";

/** A ProviderContext whose logger, clock and session store can be inspected. */
export interface TestContext<C extends Clock = FakeClock> extends ProviderContext {
  logger: RecordingLogger;
  clock: C;
  /** Every session the provider asked to persist, oldest first. */
  savedSessions: ProviderSession[];
}

export interface TestContextOverrides<C extends Clock = FakeClock> {
  integration?: Partial<ProviderContext["integration"]>;
  session?: ProviderSession;
  pluginOptions?: Record<string, unknown>;
  /** The deadline core would give; default: parsed from the settings and plugin options as core does. */
  requestTimeoutMs?: number;
  /** The concurrency cap core would give; default: parsed from the settings and plugin options as core does. */
  concurrency?: number;
  logger?: RecordingLogger;
  clock?: C;
  /** Shared list to record saved sessions into (several contexts can share one). */
  savedSessions?: ProviderSession[];
}

/**
 * Build a ProviderContext for unit tests. `saveSession` behaves like a host: it records the
 * session and makes it the context's current `session`.
 */
export function createTestContext<C extends Clock = FakeClock>(
  overrides: TestContextOverrides<C> = {},
): TestContext<C> {
  const savedSessions = overrides.savedSessions ?? [];
  const integration = {
    id: "test-integration",
    authMethod: "token",
    settings: {},
    ...overrides.integration,
  };
  const pluginOptions = overrides.pluginOptions ?? {};
  const context: TestContext<C> = {
    integration,
    pluginOptions,
    requestTimeoutMs:
      overrides.requestTimeoutMs ?? requestTimeoutMsOf(integration.settings, pluginOptions),
    ...withConcurrency(overrides.concurrency ?? concurrencyOf(integration.settings, pluginOptions)),
    logger: overrides.logger ?? createRecordingLogger(),
    clock: overrides.clock ?? (new FakeClock() as unknown as C),
    savedSessions,
    async saveSession(session) {
      savedSessions.push(session);
      context.session = session;
    },
  };
  if (overrides.session) context.session = overrides.session;
  return context;
}

function withConcurrency(concurrency: number | undefined): { concurrency?: number } {
  return concurrency === undefined ? {} : { concurrency };
}
