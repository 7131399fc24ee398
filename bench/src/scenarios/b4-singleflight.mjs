import { createAwsVault, makeHome, numberedSecrets, vaultName } from "../lib/fixtures.mjs";
import { summarize } from "../lib/stats.mjs";

const CONCURRENT = 1000;
const LATENCY_MS = 20;

/** B4: 1,000 concurrent resolves of one uncached secret make exactly one provider request. */
export async function b4(ctx) {
  const emulator = await ctx.aws();
  const secrets = numberedSecrets("b4", 1);
  await emulator.seed(secrets);
  const home = await makeHome("b4");
  const { vault } = await createAwsVault(emulator, home, secrets);
  const name = vaultName(secrets[0].name);
  const times = [];
  const counts = [];
  emulator.inject({ latencyMs: LATENCY_MS });
  try {
    await vault.resolve(name); // untimed: loads the SDK and builds the client
    for (let run = 0; run < (ctx.quick ? 3 : 10); run++) {
      await vault.cache.reset();
      const before = emulator.requests.count();
      const t0 = performance.now();
      const rs = await Promise.all(Array.from({ length: CONCURRENT }, () => vault.resolve(name)));
      times.push(performance.now() - t0);
      counts.push(emulator.requests.count() - before);
      if (rs.some((r) => !r.ok || r.value !== secrets[0].value)) throw new Error("B4: wrong value");
    }
  } finally {
    emulator.clearFaults();
    await vault.dispose();
  }
  const worst = Math.max(...counts);
  return {
    id: "B4",
    title: `${CONCURRENT.toLocaleString("en")} concurrent resolves of one uncached secret (${LATENCY_MS} ms latency)`,
    ours: { label: "Promise.all(1000 × resolve)", ...summarize(times) },
    peer: undefined,
    metric: { name: "provider requests per burst", value: worst, display: `${worst} req` },
    target: "exactly 1 provider request",
    pass: counts.every((c) => c === 1),
    details: { requestsPerRun: counts },
  };
}
