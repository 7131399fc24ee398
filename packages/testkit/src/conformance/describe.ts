import { describeThrown } from "./assert.js";
import { type ConformanceCheck, conformanceChecks } from "./checks.js";
import { ConformanceRun } from "./run.js";
import type {
  ConformanceFactory,
  ConformanceFixtures,
  ConformanceHarness,
  ConformanceOptions,
  ConformanceTestApi,
} from "./types.js";

/**
 * Register the provider conformance suite with the caller's test runner: one describe block,
 * one test per check. The factory runs once, before the first test; `stop()` after the last.
 */
export function describeProviderConformance(
  t: ConformanceTestApi,
  factory: ConformanceFactory,
  fixtures: ConformanceFixtures,
  options: ConformanceOptions = {},
): void {
  t.describe(options.name ?? "vaultlink provider conformance", () => {
    let run: ConformanceRun | undefined;
    let startError: unknown;
    t.beforeAll(async () => {
      try {
        run = await ConformanceRun.start(factory, fixtures);
      } catch (error) {
        // Reported by every test below rather than as a hook failure, so the cause is obvious.
        startError = error;
      }
    }, options.timeout);
    t.afterAll(async () => {
      await run?.close();
    }, options.timeout);
    for (const check of applicableChecks(fixtures)) {
      t.it(
        check.title,
        async () => {
          if (!run) {
            throw new Error(
              `The conformance harness factory failed: ${describeThrown(startError)}`,
            );
          }
          await check.run(run);
        },
        options.timeout,
      );
    }
  });
}

export interface ConformanceReport {
  passed: string[];
  failed: Array<{ id: string; title: string; error: unknown }>;
}

/**
 * Run the checks without a test runner (a script, a CI probe, or a test that wants to see
 * which checks a broken provider fails). `only` limits the run to some check ids; checks run
 * in suite order either way.
 */
export async function runConformanceChecks(
  harness: ConformanceFactory | ConformanceHarness,
  fixtures: ConformanceFixtures,
  options: { only?: readonly string[] } = {},
): Promise<ConformanceReport> {
  const run =
    typeof harness === "function"
      ? await ConformanceRun.start(harness, fixtures)
      : new ConformanceRun(harness, fixtures);
  const report: ConformanceReport = { passed: [], failed: [] };
  try {
    for (const check of applicableChecks(fixtures)) {
      if (options.only && !options.only.includes(check.id)) continue;
      try {
        await check.run(run);
        report.passed.push(check.id);
      } catch (error) {
        report.failed.push({ id: check.id, title: check.title, error });
      }
    }
  } finally {
    await run.close();
  }
  return report;
}

function applicableChecks(fixtures: ConformanceFixtures): ConformanceCheck[] {
  return conformanceChecks.filter((c) => !c.appliesTo || c.appliesTo(fixtures));
}
