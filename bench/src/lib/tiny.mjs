import { Bench } from "tinybench";
import { summarize } from "./stats.mjs";

/**
 * Run tinybench tasks in `rounds` alternating rounds (A, B, A, B…), so that drifting load on
 * a shared machine hits every task alike; returns the pooled latency samples (ms) per task.
 */
export async function benchTasks(tasks, { rounds = 3, iterations = 5, warmupIterations = 1 } = {}) {
  const samples = new Map(Object.keys(tasks).map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    const names = Object.keys(tasks);
    if (round % 2 === 1) names.reverse();
    for (const name of names) {
      const bench = new Bench({
        name,
        iterations,
        time: 0,
        warmup: round === 0,
        warmupIterations,
        warmupTime: 0,
        retainSamples: true,
        throws: true,
      });
      bench.add(name, tasks[name]);
      await bench.run();
      const result = bench.tasks[0].result;
      if (result.state !== "completed") throw new Error(`${name}: ${result.state}`);
      samples.get(name).push(...(result.latency.samples ?? []));
    }
  }
  return Object.fromEntries([...samples].map(([name, s]) => [name, summarize(s)]));
}
