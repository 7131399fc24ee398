import {
  defineProvider,
  type FetchRequest,
  type FetchResult,
  type ProviderContext,
  type ProviderDefinition,
  type ProviderDefinitionInput,
  type ProviderInstance,
} from "@vaultlink/core/plugin";
import {
  type ConformanceFactory,
  type ConformanceFixtures,
  type MemoryProvider,
  memoryFixtures,
  memoryHarness,
  runConformanceChecks,
} from "../src/index.js";

/** A harness like the memory one, with its provider swapped for a (usually broken) variant. */
export function variant(
  change: (base: ProviderDefinition, memory: MemoryProvider) => ProviderDefinition,
): ConformanceFactory {
  return async () => {
    const harness = await memoryHarness();
    return { ...harness, provider: change(harness.provider, harness.memory) };
  };
}

/** The same definition, with every instance passed through `wrap`. */
export function wrapInstances(
  base: ProviderDefinition,
  wrap: (inner: ProviderInstance, ctx: ProviderContext) => ProviderInstance,
): ProviderDefinition {
  return defineProvider({ ...base, create: async (ctx) => wrap(await base.create(ctx), ctx) });
}

/** Ids of the checks that failed, running only `only` (in suite order). */
export async function failingChecks(
  factory: ConformanceFactory,
  only: readonly string[],
  fixtures: ConformanceFixtures = memoryFixtures,
): Promise<string[]> {
  const report = await runConformanceChecks(factory, fixtures, { only });
  const ran = [...report.passed, ...report.failed.map((f) => f.id)];
  if (ran.length !== only.length) {
    throw new Error(`Expected to run ${only.join(", ")} but ran ${ran.join(", ")}.`);
  }
  return report.failed.map((f) => f.id);
}

/** The message of the first failure of one check. */
export async function failureOf(
  factory: ConformanceFactory,
  only: readonly string[],
  id: string,
  fixtures: ConformanceFixtures = memoryFixtures,
): Promise<string> {
  const report = await runConformanceChecks(factory, fixtures, { only });
  const failed = report.failed.find((f) => f.id === id);
  if (!failed) throw new Error(`Check ${id} passed; expected it to fail.`);
  return failed.error instanceof Error ? failed.error.message : String(failed.error);
}

type FetchArgs = readonly FetchRequest[];

/** A memory harness whose instances answer fetch with `fetch(inner, requests, ctx)`. */
export function withFetch(
  fetch: (
    inner: ProviderInstance,
    requests: FetchArgs,
    ctx: ProviderContext,
  ) => Promise<FetchResult[]>,
): ConformanceFactory {
  return variant((base) =>
    wrapInstances(base, (inner, ctx) => ({
      ...inner,
      fetch: (requests) => fetch(inner, requests, ctx),
    })),
  );
}

/** A memory harness whose fetch results pass through `map` (with the requests they answer). */
export function mapResults(
  map: (results: FetchResult[], requests: FetchArgs, ctx: ProviderContext) => FetchResult[],
): ConformanceFactory {
  return withFetch(async (inner, requests, ctx) => map(await inner.fetch(requests), requests, ctx));
}

/** A memory harness whose thrown fetch errors are replaced by `map(error)`. */
export function mapFetchErrors(map: (error: unknown) => unknown): ConformanceFactory {
  return withFetch(async (inner, requests) => {
    try {
      return await inner.fetch(requests);
    } catch (error) {
      throw map(error);
    }
  });
}

/** A memory harness whose instances are replaced by `change(inner)` (authenticate, dispose…). */
export function withInstance(
  change: (inner: ProviderInstance) => Partial<ProviderInstance>,
): ConformanceFactory {
  return variant((base) => wrapInstances(base, (inner) => ({ ...inner, ...change(inner) })));
}

/** A memory harness whose definition has the fields `change(base)` returns. */
export function patched(
  change: (base: ProviderDefinition) => Partial<ProviderDefinitionInput>,
): ConformanceFactory {
  return variant((base) => defineProvider({ ...base, ...change(base) }));
}

/** The code of a thrown error, when it has one. */
export function codeOf(error: unknown): string | undefined {
  return (error as { code?: string }).code;
}
