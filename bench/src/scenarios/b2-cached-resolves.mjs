import { createAwsVault, makeHome, numberedSecrets, vaultName } from "../lib/fixtures.mjs";
import { powertoolsGet, usePowertools } from "../lib/peers.mjs";
import { ratioDisplay, ratioInterval } from "../lib/stats.mjs";
import { benchTasks } from "../lib/tiny.mjs";

export const B2_CALLS = 100_000;
const SECRETS = 100;

/** B2: 100,000 in-process resolves of cached linked secrets vs Powertools getSecret, warm. */
export async function b2(ctx) {
  const emulator = await ctx.aws();
  const secrets = numberedSecrets("b2", SECRETS);
  await emulator.seed(secrets);
  const home = await makeHome("b2");
  const { vault } = await createAwsVault(emulator, home, secrets);
  const names = secrets.map((s) => vaultName(s.name));
  const awsNames = secrets.map((s) => s.name);
  const client = usePowertools(emulator);
  try {
    // Warm both caches with the same values, and check them once (never printed).
    const ours = await vault.resolveMany(names);
    const theirs = await Promise.all(awsNames.map(powertoolsGet));
    secrets.forEach((s, i) => {
      if (!ours[i].ok || ours[i].value !== s.value) throw new Error(`B2: ${names[i]} differs`);
      if (theirs[i] !== s.value) throw new Error(`B2: Powertools ${awsNames[i]} differs`);
    });
    const before = emulator.requests.count();
    const stats = await benchTasks(
      {
        vaultlink: async () => {
          for (let i = 0; i < B2_CALLS; i++) {
            const r = await vault.resolve(names[i % SECRETS]);
            if (!r.ok) throw new Error(`B2: ${r.name} unresolved`);
          }
        },
        powertools: async () => {
          for (let i = 0; i < B2_CALLS; i++) await powertoolsGet(awsNames[i % SECRETS]);
        },
      },
      ctx.quick ? { rounds: 2, iterations: 2 } : { rounds: 8, iterations: 5 },
    );
    const requestsDuring = emulator.requests.count() - before;
    const ratio = stats.vaultlink.median / stats.powertools.median;
    const interval = ratioInterval(stats.vaultlink, stats.powertools);
    return {
      id: "B2",
      title: `${B2_CALLS.toLocaleString("en")} in-process resolves of cached linked secrets (${SECRETS} distinct)`,
      ours: { label: "vault.resolve ×100k", ...stats.vaultlink },
      peer: { label: "Powertools getSecret ×100k (warm)", ...stats.powertools },
      metric: {
        name: "median ratio",
        value: ratio,
        interval,
        display: ratioDisplay(ratio, interval),
      },
      target: "ratio ≤ 0.9×, its 95% interval below 1",
      pass: ratio <= 0.9 && interval !== undefined && interval.high < 1 && requestsDuring === 0,
      details: {
        perCallNs: {
          vaultlink: (stats.vaultlink.median * 1e6) / B2_CALLS,
          powertools: (stats.powertools.median * 1e6) / B2_CALLS,
        },
        requestsDuring,
      },
    };
  } finally {
    client.destroy();
    await vault.dispose();
  }
}
