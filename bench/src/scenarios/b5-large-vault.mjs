import { execFile } from "node:child_process";
import { stat } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createVault } from "@vaultlink/core";
import { makeHome } from "../lib/fixtures.mjs";
import { summarize } from "../lib/stats.mjs";

const run = promisify(execFile);
const SECRETS = 10_000;
const child = fileURLToPath(new URL("./b5-child.mjs", import.meta.url));

/** B5: a vault of 10,000 secrets: open, add one, list; peak RSS. Each run is its own process. */
export async function b5(ctx) {
  const home = await makeHome("b5");
  const vault = createVault({ home, keySources: [] });
  const { vaultKey } = await vault.create();
  await vault.importSecrets(
    {
      secrets: Array.from({ length: SECRETS }, (_, i) => ({
        name: `b5-secret-${String(i).padStart(5, "0")}`,
        value: `b5-value-${String(i).padStart(5, "0")}-0123456789abcdefghij`,
        allowedDomains: i % 10 === 0 ? ["api.example.com"] : [],
        enabled: true,
      })),
    },
    { onConflict: "replace" },
  );
  await vault.dispose();
  const fileBytes = (await stat(`${home}/vault.vlt`).catch(() => ({ size: Number.NaN }))).size;

  const samples = [];
  const runs = ctx.quick ? 3 : 9;
  for (let i = 0; i < runs + 1; i++) {
    const { stdout } = await run(process.execPath, [child, home, `b5-added-${i}`], {
      env: { ...process.env, VAULTLINK_BENCH_KEY: vaultKey },
    });
    const m = JSON.parse(stdout);
    if (m.listed !== SECRETS + i + 1) throw new Error(`B5: listed ${m.listed} secrets`);
    if (i > 0) samples.push(m); // the first run warms the OS file cache
  }
  const open = summarize(samples.map((s) => s.openMs));
  const add = summarize(samples.map((s) => s.addMs));
  const list = summarize(samples.map((s) => s.listMs));
  const rss = summarize(samples.map((s) => s.maxRssMiB));
  return {
    id: "B5",
    title: `vault of ${SECRETS.toLocaleString("en")} secrets: open, add one, list (own process each run)`,
    ours: { label: "open (createVault + unlock)", ...open },
    peer: undefined,
    extra: [
      { label: "add one secret", ...add },
      { label: "list", ...list },
    ],
    metric: {
      name: "open / add / peak RSS",
      value: open.median,
      display: `${open.median.toFixed(1)} / ${add.median.toFixed(1)} ms; ${rss.median.toFixed(0)} MiB`,
    },
    target: "open ≤ 100 ms, add ≤ 150 ms, RSS reported",
    pass: open.median <= 100 && add.median <= 150,
    details: { vaultFileBytes: fileBytes, peakRssMiB: rss, listMs: list },
  };
}
