import { createAwsVault, makeHome, numberedSecrets, vaultName } from "../lib/fixtures.mjs";
import { runAsync, timeProcesses } from "../lib/process.mjs";
import { ratioDisplay, ratioInterval, summarize } from "../lib/stats.mjs";
import { cliBin } from "./b1-cli-read.mjs";

const BURST = 20;
const LATENCY_MS = 50;

/** A vault home with one linked secret, cached; the env of a process that holds the key. */
async function agentFixture(ctx, tag) {
  const emulator = await ctx.aws();
  const secrets = numberedSecrets(tag, 1);
  await emulator.seed(secrets);
  const home = await makeHome(tag);
  const { vault, vaultKey } = await createAwsVault(emulator, home, secrets);
  const name = vaultName(secrets[0].name);
  const first = await vault.resolve(name); // fills the encrypted cache file
  await vault.dispose();
  if (!first.ok) throw new Error(`${tag} setup: ${first.name} unresolved (${first.reason})`);
  const env = { ...process.env, VAULTLINK_HOME: home, VAULTLINK_VAULT_KEY: vaultKey };
  delete env.VAULTLINK_CONFIG;
  // As in B1: start-up costs both processes would pay dilute the ratio.
  delete env.NODE_EXTRA_CA_CERTS;
  delete env.NODE_OPTIONS;
  // The agent's socket under the vault home, whatever the session's runtime directory.
  delete env.XDG_RUNTIME_DIR;
  const keyless = { ...env };
  delete keyless.VAULTLINK_VAULT_KEY;
  return { emulator, secret: secrets[0], name, env, keyless };
}

async function cli(bin, args, env) {
  const r = await runAsync(process.execPath, [bin, ...args], env);
  if (r.status !== 0)
    throw new Error(`vaultlink ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return r;
}

/**
 * B10: `vaultlink read <name>` through the agent (no key in the reader's environment) vs the
 * quick path (key in the environment, no agent) vs `node -e 0`. Two phases, each timed against
 * its own floor in the same run: the quick path before the agent starts, the agent after.
 */
export async function b10(ctx) {
  const { emulator, secret, name, env, keyless } = await agentFixture(ctx, "b10");
  const bin = cliBin();
  const runs = ctx.quick ? 12 : 40;
  await ctx.checkCliRead(bin, name, env, secret.value);
  const quick = await timeProcesses(
    {
      "node -e 0": [process.execPath, "-e", "0"],
      "vaultlink read (quick path)": [process.execPath, bin, "read", name],
    },
    { warmup: 3, runs, env },
  );
  await cli(bin, ["agent", "start"], env);
  let agent;
  let providerRequests;
  try {
    await ctx.checkCliRead(bin, name, keyless, secret.value);
    const before = emulator.requests.count();
    agent = await timeProcesses(
      {
        "node -e 0": [process.execPath, "-e", "0"],
        "vaultlink read (agent)": [process.execPath, bin, "read", name],
      },
      { warmup: 3, runs, env: keyless },
    );
    providerRequests = emulator.requests.count() - before;
  } finally {
    await cli(bin, ["agent", "stop"], env);
  }
  const floor = agent.results["node -e 0"];
  const ours = agent.results["vaultlink read (agent)"];
  const ratio = ours.median / floor.median;
  const interval = ratioInterval(ours, floor);
  const quickFloor = quick.results["node -e 0"];
  const quickOurs = quick.results["vaultlink read (quick path)"];
  return {
    id: "B10",
    title: "vaultlink read <name> through the agent (no key in its env), one cached linked secret",
    ours: { label: "read via agent", ...ours },
    extra: [
      { label: "read, quick path (no agent)", ...quickOurs },
      { label: "node -e 0 (quick-path phase)", ...quickFloor },
    ],
    peer: { label: "node -e 0 (floor)", ...floor },
    metric: {
      name: "median ratio (agent read / node -e 0)",
      value: ratio,
      interval,
      display: ratioDisplay(ratio, interval),
    },
    target: "median ≤ 1.5× the floor, no provider request",
    pass: ratio <= 1.5 && providerRequests === 0,
    details: {
      tool: agent.tool,
      providerRequests,
      quickPathRatio: quickOurs.median / quickFloor.median,
      quickPathFloorMedianMs: quickFloor.median,
      agentVsQuickPath: ours.median / quickOurs.median,
    },
  };
}

/**
 * B11: 20 `vaultlink read` processes at once, no key in their environment, through the agent,
 * of one secret whose cache time has passed (AWS answers after 50 ms): provider requests per
 * burst, and how long the burst takes.
 */
export async function b11(ctx) {
  const { emulator, secret, name, env, keyless } = await agentFixture(ctx, "b11");
  const bin = cliBin();
  await cli(bin, ["agent", "start"], env);
  const counts = [];
  const times = [];
  emulator.inject({ latencyMs: LATENCY_MS });
  try {
    for (let run = 0; run < (ctx.quick ? 3 : 8); run++) {
      await cli(bin, ["cache", "reset"], env); // tells the agent: every value is expired now
      const before = emulator.requests.count();
      const t0 = performance.now();
      const outs = await Promise.all(
        Array.from({ length: BURST }, () =>
          runAsync(process.execPath, [bin, "read", name], keyless),
        ),
      );
      times.push(performance.now() - t0);
      counts.push(emulator.requests.count() - before);
      if (outs.some((o) => o.status !== 0 || o.stdout !== `${secret.value}\n`))
        throw new Error("B11: a read failed or printed the wrong value");
    }
  } finally {
    emulator.clearFaults();
    await cli(bin, ["agent", "stop"], env);
  }
  const worst = Math.max(...counts);
  return {
    id: "B11",
    title: `${BURST} concurrent vaultlink read processes, one expired secret, through the agent (${LATENCY_MS} ms latency)`,
    ours: { label: `${BURST} × vaultlink read (burst)`, ...summarize(times) },
    peer: undefined,
    metric: { name: "provider requests per burst", value: worst, display: `${worst} req` },
    target: "exactly 1 provider request",
    pass: counts.every((c) => c === 1),
    details: { requestsPerRun: counts },
  };
}
