import {
  createAwsVault,
  makeHome,
  numberedSecrets,
  openAwsVault,
  vaultName,
} from "../lib/fixtures.mjs";
import { powertoolsGet, sdkClient, sdkGet, usePowertools } from "../lib/peers.mjs";
import { ratioDisplay, ratioInterval, summarize } from "../lib/stats.mjs";

const SECRETS = 100;
const LATENCY_MS = 20;

/**
 * B3: the first resolve of 100 linked AWS secrets through moto with 20 ms added to every
 * request; vs Powertools getSecret for each (in parallel) and plain GetSecretValue in a row.
 * Each run starts cold: a new vault instance (new provider instance and SDK client) with an
 * empty cache, a new Powertools provider and client, a new SDK client.
 */
export async function b3(ctx) {
  const emulator = await ctx.aws();
  const secrets = numberedSecrets("b3", SECRETS);
  await emulator.seed(secrets);
  const home = await makeHome("b3");
  const { vault, vaultKey } = await createAwsVault(emulator, home, secrets);
  await vault.dispose();
  const names = secrets.map((s) => vaultName(s.name));
  const awsNames = secrets.map((s) => s.name);
  const check = (values, who) =>
    values.forEach((v, i) => {
      if (v !== secrets[i].value)
        throw new Error(`B3: ${who} got a wrong value for ${awsNames[i]}`);
    });

  const runs = {
    async vaultlink() {
      const v = openAwsVault(home);
      await v.unlock(vaultKey);
      await v.cache.reset();
      try {
        return await measure(emulator, async () => {
          const rs = await v.resolveMany(names);
          check(
            rs.map((r) => (r.ok && r.source === "provider" ? r.value : undefined)),
            "vaultlink",
          );
        });
      } finally {
        await v.dispose();
      }
    },
    async powertools() {
      const client = usePowertools(emulator);
      try {
        return await measure(emulator, async () => {
          check(await Promise.all(awsNames.map(powertoolsGet)), "Powertools");
        });
      } finally {
        client.destroy();
      }
    },
    async sdkSequential() {
      const client = sdkClient(emulator);
      try {
        return await measure(emulator, async () => {
          const values = [];
          for (const n of awsNames) values.push(await sdkGet(client, n));
          check(values, "SDK");
        });
      } finally {
        client.destroy();
      }
    },
  };

  emulator.inject({ latencyMs: LATENCY_MS });
  const samples = { vaultlink: [], powertools: [], sdkSequential: [] };
  const requests = { vaultlink: [], powertools: [], sdkSequential: [] };
  try {
    // One untimed run each: module imports and the SDK's first-use set-up are not "first resolve".
    for (const fn of Object.values(runs)) await fn();
    const rounds = ctx.quick ? 2 : 5;
    for (let round = 0; round < rounds; round++) {
      const order = Object.keys(runs);
      if (round % 2 === 1) order.reverse();
      for (const who of order) {
        if (who === "sdkSequential" && round >= 3) continue; // ~3 s a run; 3 runs are plenty
        const { ms, count } = await runs[who]();
        samples[who].push(ms);
        requests[who].push(count);
      }
    }
  } finally {
    emulator.clearFaults();
  }
  const stats = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, summarize(v)]));
  const ratio = stats.vaultlink.median / stats.powertools.median;
  const interval = ratioInterval(stats.vaultlink, stats.powertools);
  const maxRequests = Math.max(...requests.vaultlink);
  return {
    id: "B3",
    title: `first resolve of ${SECRETS} linked AWS secrets, moto + ${LATENCY_MS} ms per request`,
    ours: { label: "vault.resolveMany(100)", ...stats.vaultlink },
    peer: { label: "Powertools getSecret ×100 in parallel", ...stats.powertools },
    extra: [{ label: "SDK GetSecretValue ×100 in a row", ...stats.sdkSequential }],
    metric: {
      name: "median ratio; HTTP requests",
      value: ratio,
      interval,
      display: `${ratioDisplay(ratio, interval)}; ${maxRequests} req`,
    },
    target: "≤ 5 HTTP requests, wall time ≤ 0.5× Powertools",
    pass: ratio <= 0.5 && maxRequests <= 5,
    details: { requestsPerRun: requests, latencyMs: LATENCY_MS },
  };
}

async function measure(emulator, fn) {
  const before = emulator.requests.count();
  const t0 = performance.now();
  await fn();
  const ms = performance.now() - t0;
  return { ms, count: emulator.requests.count() - before };
}
