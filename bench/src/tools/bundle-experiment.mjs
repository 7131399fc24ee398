/**
 * Experiment behind the B1 finding: would a bundled CLI entry meet the start-up target?
 * Bundles packages/cli/dist/bin.js with esbuild (fetched by npx, not a workspace dependency)
 * into a temporary directory, then times `node -e 0`, the shipped entry and the bundles on B1's vault.
 *
 *   VAULTLINK_HOME=… VAULTLINK_VAULT_KEY=… node bench/src/tools/bundle-experiment.mjs <secret name>
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { timeProcesses } from "../lib/process.mjs";
import { ms } from "../lib/stats.mjs";
import { cliBin } from "../scenarios/b1-cli-read.mjs";

const name = process.argv[2];
if (!name || !process.env.VAULTLINK_HOME) {
  console.error("usage: VAULTLINK_HOME=… VAULTLINK_VAULT_KEY=… bundle-experiment.mjs <name>");
  process.exit(2);
}
// Outside the repository: biome would check the bundles.
const cache = mkdtempSync(join(tmpdir(), "vaultlink-bundle-"));
const bin = cliBin();
const banner =
  "import { createRequire as __vlRequire } from 'node:module'; const require = __vlRequire(import.meta.url);";
const bundle = (out, extra) => {
  const r = spawnSync(
    "npx",
    [
      "-y",
      "esbuild@0.28.2",
      bin,
      "--bundle",
      "--platform=node",
      "--format=esm",
      "--target=node20",
      `--outfile=${join(cache, out)}`,
      "--external:@napi-rs/keyring",
      "--external:@vaultlink/provider-*",
      `--banner:js=${banner}`,
      "--log-level=warning",
      ...extra,
    ],
    { stdio: "inherit" },
  );
  if (r.status !== 0) throw new Error("esbuild failed");
  return join(cache, out);
};
const plain = bundle("bin.bundle.mjs", []);
const minified = bundle("bin.min.mjs", ["--minify"]);
const { tool, results } = await timeProcesses(
  {
    "node -e 0": [process.execPath, "-e", "0"],
    "vaultlink read (dist, shipped)": [process.execPath, bin, "read", name],
    "vaultlink read (esbuild bundle)": [process.execPath, plain, "read", name],
    "vaultlink read (esbuild bundle, minified)": [process.execPath, minified, "read", name],
  },
  { warmup: 3, runs: 40 },
);
console.log(tool);
const floor = results["node -e 0"];
for (const [label, r] of Object.entries(results)) {
  console.log(
    `${label.padEnd(44)} median ${ms(r.median).padStart(9)}  p95 ${ms(r.p95).padStart(9)}  ` +
      `×${(r.median / floor.median).toFixed(2)} wall  ×${(r.cpuMs / floor.cpuMs).toFixed(2)} cpu`,
  );
}
