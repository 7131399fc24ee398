import { createAwsVault, makeHome, numberedSecrets, vaultName } from "../lib/fixtures.mjs";
import { timeProcesses } from "../lib/process.mjs";
import { ratioDisplay, ratioInterval } from "../lib/stats.mjs";
import { cliBin } from "./b1-cli-read.mjs";

const TARGET = 1.5;

/**
 * B7: the commands that take the full path (command parser, vault open, settings) rather than
 * B1's quick read: `secret list`, `resolve` of a template whose references are all cached,
 * `cache status` and `--help`, each a whole process against `node -e 0`, in one interleaved run.
 */
export async function b7(ctx) {
  const emulator = await ctx.aws();
  const secrets = numberedSecrets("b7", 3);
  await emulator.seed(secrets);
  const home = await makeHome("b7");
  const { vault, vaultKey } = await createAwsVault(emulator, home, secrets);
  const names = secrets.map((s) => vaultName(s.name));
  for (let i = 0; i < 5; i++)
    await vault.secrets.add(`b7-local-${i}`, { value: `local-${i}-value` });
  const first = await vault.resolveMany(names); // fills the encrypted cache file
  await vault.dispose();
  if (!first.every((r) => r.ok)) throw new Error("B7 setup: a linked secret is unresolved");

  const env = { ...process.env, VAULTLINK_HOME: home, VAULTLINK_VAULT_KEY: vaultKey };
  delete env.VAULTLINK_CONFIG;
  delete env.NODE_EXTRA_CA_CERTS; // see B1: both sides would pay it
  delete env.NODE_OPTIONS;
  const bin = cliBin();
  const template = names.map((n) => `${n}={{vault:${n}}}`).join(" ");
  const commands = {
    "node -e 0": [process.execPath, "-e", "0"],
    "secret list": [process.execPath, bin, "secret", "list"],
    "resolve (cached)": [process.execPath, bin, "resolve", template],
    "cache status": [process.execPath, bin, "cache", "status"],
    "--help": [process.execPath, bin, "--help"],
  };
  const before = emulator.requests.count();
  const { tool, results } = await timeProcesses(commands, {
    warmup: 2,
    runs: ctx.quick ? 8 : 24,
    env,
  });
  const providerRequests = emulator.requests.count() - before;
  const floor = results["node -e 0"];
  const per = Object.keys(commands)
    .slice(1)
    .map((label) => {
      const ratio = results[label].median / floor.median;
      const interval = ratioInterval(results[label], floor);
      return { label, ratio, interval, ...results[label] };
    });
  const worst = per.reduce((a, b) => (b.ratio > a.ratio ? b : a));
  return {
    id: "B7",
    title:
      "full-path commands (secret list, resolve of a cached template, cache status, --help), whole process",
    ours: { label: worst.label, ...results[worst.label] },
    extra: per
      .filter((p) => p !== worst)
      .map((p) => ({ label: p.label, median: p.median, p95: p.p95 })),
    peer: { label: "node -e 0 (floor)", ...floor },
    metric: {
      name: "median ratio per command (worst shown first)",
      value: worst.ratio,
      interval: worst.interval,
      display: per.map((p) => `${p.label} ${ratioDisplay(p.ratio, p.interval)}`).join("; "),
    },
    target: `each ≤ ${TARGET}× the floor`,
    pass: per.every((p) => p.ratio <= TARGET) && providerRequests === 0,
    details: {
      tool,
      providerRequests,
      ratios: Object.fromEntries(
        per.map((p) => [p.label, { ratio: p.ratio, interval: p.interval }]),
      ),
    },
  };
}
