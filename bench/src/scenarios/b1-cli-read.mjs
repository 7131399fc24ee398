import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { createAwsVault, makeHome, numberedSecrets, vaultName } from "../lib/fixtures.mjs";
import { timeProcesses } from "../lib/process.mjs";
import { ratioDisplay, ratioInterval } from "../lib/stats.mjs";
import { profileStartup } from "../tools/profile-startup.mjs";

const require = createRequire(import.meta.url);

/** The built `vaultlink` entry (packages/cli/dist/bin.cjs). */
export function cliBin() {
  return join(dirname(require.resolve("@vaultlink/cli/package.json")), "dist", "bin.cjs");
}

/** B1: `vaultlink read <name>` of one cached linked secret vs `node -e 0`. */
export async function b1(ctx) {
  const emulator = await ctx.aws();
  const secrets = numberedSecrets("b1", 1);
  await emulator.seed(secrets);
  const home = await makeHome("b1");
  const { vault, vaultKey } = await createAwsVault(emulator, home, secrets);
  const name = vaultName(secrets[0].name);
  const first = await vault.resolve(name); // fills the encrypted cache file
  await vault.dispose();
  if (!first.ok) throw new Error(`B1 setup: ${first.name} unresolved (${first.reason})`);

  const env = { ...process.env, VAULTLINK_HOME: home, VAULTLINK_VAULT_KEY: vaultKey };
  delete env.VAULTLINK_CONFIG;
  // Both processes would pay these at start-up (NODE_EXTRA_CA_CERTS pointing at a system CA
  // bundle costs ~75 ms here), which dilutes the ratio: measure against a bare Node instead.
  delete env.NODE_EXTRA_CA_CERTS;
  delete env.NODE_OPTIONS;
  const bin = cliBin();
  await ctx.checkCliRead(bin, name, env, secrets[0].value);
  const before = emulator.requests.count();
  const { tool, results } = await timeProcesses(
    {
      "node -e 0": [process.execPath, "-e", "0"],
      "vaultlink read": [process.execPath, bin, "read", name],
    },
    { warmup: 3, runs: ctx.quick ? 12 : 40, env },
  );
  const providerRequests = emulator.requests.count() - before;
  const floor = results["node -e 0"];
  const ours = results["vaultlink read"];
  const ratio = ours.median / floor.median;
  const interval = ratioInterval(ours, floor);

  const profile = ctx.quick ? [] : profileStartup([bin, "read", name], 5, env);
  return {
    id: "B1",
    title: "vaultlink read <name>, one cached linked secret, whole process",
    ours: { label: "vaultlink read", ...ours },
    peer: { label: "node -e 0 (floor)", ...floor },
    metric: {
      name: "median ratio",
      value: ratio,
      interval,
      display: ratioDisplay(ratio, interval),
    },
    target: "median ≤ 1.25× the floor",
    pass: ratio <= 1.25 && providerRequests === 0,
    details: {
      tool,
      providerRequests,
      cpuRatio: ours.cpuMs / floor.cpuMs,
      startupSelfMsByBucket: profile.filter((r) => r.selfMs >= 0.5),
    },
  };
}
