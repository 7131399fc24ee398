import {
  type Clock,
  type FetchRequest,
  type FetchResult,
  isVaultlinkError,
  type ParsedReference,
  type ProviderInstance,
  type ProviderSession,
} from "@vaultlink/core/plugin";
import { systemClock } from "../context/fake-clock.js";
import { createRecordingLogger } from "../context/recording-logger.js";
import { createTestContext, type TestContext } from "../context/test-context.js";
import { collectStrings } from "../secrets/find-secrets.js";
import { asText, check, describeThrown, fail, resultsById } from "./assert.js";
import type { ConformanceFactory, ConformanceFixtures, ConformanceHarness } from "./types.js";

/** One failure the provider reported, kept so the suite can check none leaked a secret. */
export interface ObservedFailure {
  /** Which call produced it ("fetch", "authenticate", "parseReference"). */
  source: string;
  code: string;
  message: string;
  hint?: unknown;
  details?: unknown;
}

export type FetchOutcome =
  | { thrown: false; results: Map<string, FetchResult> }
  | { thrown: true; error: unknown };

export interface SignedIn {
  instance: ProviderInstance;
  context: TestContext<Clock>;
  session: ProviderSession;
}

/**
 * The state shared by the checks of one suite run: the harness, every instance created (so
 * they are disposed at the end), every failure seen and every value fetched.
 */
export class ConformanceRun {
  readonly logger = createRecordingLogger();
  readonly savedSessions: ProviderSession[] = [];
  readonly observed: ObservedFailure[] = [];
  /** Values fetched successfully; as secret as the fixtures. */
  readonly fetchedValues = new Set<string>();
  readonly #instances: ProviderInstance[] = [];
  #shared: Promise<SignedIn> | undefined;

  constructor(
    readonly harness: ConformanceHarness,
    readonly fixtures: ConformanceFixtures,
  ) {}

  static async start(
    factory: ConformanceFactory,
    fixtures: ConformanceFixtures,
  ): Promise<ConformanceRun> {
    return new ConformanceRun(await factory(), fixtures);
  }

  get provider() {
    return this.harness.provider;
  }

  /** A context as a host would build it; all contexts of a run share one recording logger. */
  newContext(session?: ProviderSession): TestContext<Clock> {
    return createTestContext<Clock>({
      integration: {
        id: `conformance-${this.provider.id}`,
        authMethod: this.harness.authenticate.method,
        settings: { ...this.harness.settings },
      },
      pluginOptions: { ...this.harness.pluginOptions },
      logger: this.logger,
      clock: systemClock,
      savedSessions: this.savedSessions,
      ...(session ? { session } : {}),
    });
  }

  async create(session?: ProviderSession): Promise<{
    instance: ProviderInstance;
    context: TestContext<Clock>;
  }> {
    const context = this.newContext(session);
    const instance = await this.provider.create(context);
    check(instance && typeof instance === "object", "create(ctx) must return a provider instance.");
    for (const method of ["authenticate", "fetch", "dispose"] as const) {
      check(typeof instance[method] === "function", `The provider instance has no ${method}().`);
    }
    this.#instances.push(instance);
    return { instance, context };
  }

  /** Sign in the way a host does: authenticate, then store the session in the context. */
  async authenticate(
    instance: ProviderInstance,
    context: TestContext<Clock>,
    previous?: ProviderSession,
  ): Promise<ProviderSession> {
    const { method, settings, secrets } = this.harness.authenticate;
    let session: ProviderSession;
    try {
      session = await instance.authenticate({
        method,
        settings: { ...settings },
        secrets: { ...secrets },
        ...(previous ? { previous } : {}),
      });
    } catch (error) {
      this.record("authenticate", error);
      fail(`authenticate with the harness's sign-in failed: ${describeThrown(error)}`);
    }
    await context.saveSession(session);
    return session;
  }

  async signIn(): Promise<SignedIn> {
    const { instance, context } = await this.create();
    const session = await this.authenticate(instance, context);
    return { instance, context, session };
  }

  /** One signed-in instance most checks share, created on first use. */
  shared(): Promise<SignedIn> {
    this.#shared ??= this.signIn();
    const pending = this.#shared;
    // A failed sign-in should be retried by the next check, not remembered.
    pending.catch(() => {
      if (this.#shared === pending) this.#shared = undefined;
    });
    return pending;
  }

  /** Drop the shared instance (after a check left it in an unknown state). */
  forgetShared(): void {
    this.#shared = undefined;
  }

  parse(reference: string): ParsedReference {
    try {
      return this.provider.parseReference(reference);
    } catch (error) {
      this.record("parseReference", error);
      fail(`parseReference rejected the fixture "${reference}": ${describeThrown(error)}`);
    }
  }

  request(id: string, reference: string, version?: string): FetchRequest {
    return { id, reference: this.parse(reference), ...(version ? { version } : {}) };
  }

  /** Fetch, check the answer's shape, and record every failure and value it contains. */
  async fetch(instance: ProviderInstance, requests: FetchRequest[]): Promise<FetchOutcome> {
    let results: unknown;
    try {
      results = await instance.fetch(requests);
    } catch (error) {
      this.record("fetch", error);
      return { thrown: true, error };
    }
    const byId = resultsById(requests, results);
    for (const result of byId.values()) {
      if (result.ok) this.fetchedValues.add(asText(result.value));
      else this.observed.push({ source: "fetch", ...result });
    }
    return { thrown: false, results: byId };
  }

  /** Fetch where every request must succeed; returns values by id. */
  async fetchValues(
    instance: ProviderInstance,
    requests: FetchRequest[],
  ): Promise<Map<string, { value: string; version?: string }>> {
    const outcome = await this.fetch(instance, requests);
    if (outcome.thrown) fail(`fetch threw: ${describeThrown(outcome.error)}`);
    const values = new Map<string, { value: string; version?: string }>();
    for (const [id, result] of outcome.results) {
      if (!result.ok) fail(`The request "${id}" failed with ${result.code}: ${result.message}`);
      values.set(id, {
        value: asText(result.value),
        ...(result.version ? { version: result.version } : {}),
      });
    }
    return values;
  }

  record(source: string, error: unknown): void {
    if (isVaultlinkError(error)) {
      this.observed.push({
        source,
        code: error.code,
        message: error.message,
        hint: error.hint,
        details: error.details,
      });
    } else if (error instanceof Error) {
      this.observed.push({ source, code: "(not a VaultlinkError)", message: error.message });
    } else {
      this.observed.push({ source, code: "(not an error)", message: String(error) });
    }
  }

  /** Every string that must never show up in an error or a log line. */
  secretValues(): string[] {
    const { secrets, json, versions } = this.fixtures;
    return [
      ...secrets.map((s) => s.value),
      ...(json ? [json.expected] : []),
      ...(versions ?? []).map((v) => v.value),
      ...this.fetchedValues,
      ...collectStrings(this.harness.authenticate.secrets),
    ];
  }

  /** Dispose one instance now, so `close()` does not dispose it a second time. */
  async dispose(instance: ProviderInstance): Promise<void> {
    const index = this.#instances.indexOf(instance);
    if (index !== -1) this.#instances.splice(index, 1);
    await instance.dispose();
  }

  /** Dispose every instance created and stop the harness. Errors are collected, then thrown. */
  async close(): Promise<void> {
    const problems: string[] = [];
    for (const instance of this.#instances.splice(0)) {
      try {
        await instance.dispose();
      } catch (error) {
        problems.push(`dispose: ${describeThrown(error)}`);
      }
    }
    try {
      await this.harness.stop?.();
    } catch (error) {
      problems.push(`harness.stop: ${describeThrown(error)}`);
    }
    if (problems.length > 0) fail(`Cleaning up failed: ${problems.join("; ")}`);
  }
}
