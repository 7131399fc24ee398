import { describe, expect, it } from "vitest";
import {
  type ConformanceTestApi,
  conformanceChecks,
  describeProviderConformance,
  memoryFixtures,
  memoryHarness,
} from "../src/index.js";

/** A stand-in runner that records what the suite registers, then runs it in order. */
function recordingRunner() {
  const names: string[] = [];
  const tests: Array<{ name: string; fn: () => Promise<void>; timeout?: number }> = [];
  const before: Array<() => unknown> = [];
  const after: Array<() => unknown> = [];
  const api: ConformanceTestApi = {
    describe: (name, fn) => {
      names.push(name);
      fn();
    },
    it: (name, fn, timeout) => {
      tests.push({ name, fn, ...(timeout === undefined ? {} : { timeout }) });
    },
    beforeAll: (fn) => before.push(fn),
    afterAll: (fn) => after.push(fn),
  };
  const runAll = async () => {
    const outcomes: Array<{ name: string; error?: unknown }> = [];
    for (const fn of before) await fn();
    for (const test of tests) {
      try {
        await test.fn();
        outcomes.push({ name: test.name });
      } catch (error) {
        outcomes.push({ name: test.name, error });
      }
    }
    for (const fn of after) await fn();
    return outcomes;
  };
  return { api, names, tests, runAll };
}

describe("describeProviderConformance", () => {
  it("registers one test per check under one describe, with the timeout given", () => {
    const runner = recordingRunner();
    describeProviderConformance(runner.api, memoryHarness, memoryFixtures, {
      name: "my provider",
      timeout: 12_345,
    });
    expect(runner.names).toEqual(["my provider"]);
    expect(runner.tests.map((t) => t.name)).toEqual(conformanceChecks.map((c) => c.title));
    expect(runner.tests.every((t) => t.timeout === 12_345)).toBe(true);
  });

  it("leaves out the JSON check when there is no JSON fixture", () => {
    const runner = recordingRunner();
    const { json: _, ...fixtures } = memoryFixtures;
    describeProviderConformance(runner.api, memoryHarness, fixtures);
    expect(runner.tests.map((t) => t.name)).not.toContain(
      "a JSON value yields its key through core's extractJsonKey",
    );
    expect(runner.tests).toHaveLength(conformanceChecks.length - 1);
  });

  it("runs the factory once and stops the harness after the last test", async () => {
    const runner = recordingRunner();
    let built = 0;
    let stopped = 0;
    const { json: _, ...fixtures } = memoryFixtures;
    describeProviderConformance(
      runner.api,
      async () => {
        built++;
        return { ...(await memoryHarness()), stop: async () => void stopped++ };
      },
      fixtures,
    );
    const outcomes = await runner.runAll();
    expect(outcomes.filter((o) => o.error)).toEqual([]);
    expect([built, stopped]).toEqual([1, 1]);
  });

  it("reports a failing factory in every test", async () => {
    const runner = recordingRunner();
    describeProviderConformance(
      runner.api,
      async () => {
        throw new Error("emulator did not start");
      },
      memoryFixtures,
    );
    const outcomes = await runner.runAll();
    expect(outcomes.length).toBeGreaterThan(0);
    for (const { error } of outcomes) {
      expect((error as Error).message).toContain("emulator did not start");
    }
  });
});
