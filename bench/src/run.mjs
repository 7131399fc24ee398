/**
 * vaultlink benchmarks (B1–B11): each scenario runs our code and its peer in the same run and reports
 * the ratio, so drifting load on a shared machine cancels out. Prints a table and writes the
 * same numbers to bench/results/latest.json.
 *
 *   bash scripts/pnpm.sh bench                       # everything (moto needed for B1–B4)
 *   node bench/src/run.mjs --only B2,B6 --quick      # a subset, fewer iterations, no JSON
 */
import { spawn } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startAwsEmulator } from "@vaultlink/emulators";
import { machine, provenance, quietAwsSdk } from "./lib/env.mjs";
import { cleanupHomes } from "./lib/fixtures.mjs";
import { ms, round } from "./lib/stats.mjs";
import { b1 } from "./scenarios/b1-cli-read.mjs";
import { b2 } from "./scenarios/b2-cached-resolves.mjs";
import { b3 } from "./scenarios/b3-first-resolve.mjs";
import { b4 } from "./scenarios/b4-singleflight.mjs";
import { b5 } from "./scenarios/b5-large-vault.mjs";
import { b6 } from "./scenarios/b6-template.mjs";
import { b7 } from "./scenarios/b7-full-path.mjs";
import { b8 } from "./scenarios/b8-cold-read.mjs";
import { b9 } from "./scenarios/b9-newman.mjs";
import { b10, b11 } from "./scenarios/b10-agent.mjs";

quietAwsSdk();
const SCENARIOS = {
  B1: b1,
  B2: b2,
  B3: b3,
  B4: b4,
  B5: b5,
  B6: b6,
  B7: b7,
  B8: b8,
  B9: b9,
  B10: b10,
  B11: b11,
};
const RESULTS = fileURLToPath(new URL("../results/latest.json", import.meta.url));

const { values: args } = parseArgs({
  options: {
    only: { type: "string" },
    quick: { type: "boolean", default: false },
    write: { type: "boolean" },
  },
});
const selected = args.only
  ? args.only.split(",").map((s) => s.trim().toUpperCase())
  : Object.keys(SCENARIOS);
for (const id of selected) if (!SCENARIOS[id]) throw new Error(`unknown scenario ${id}`);
// A partial or quick run would overwrite the committed full results: only with --write.
const write = args.write ?? (!args.quick && !args.only);

let emulator;
const ctx = {
  quick: args.quick,
  /** The AWS emulator (moto behind the fault layer), started on first use. */
  async aws() {
    emulator ??= await startAwsEmulator();
    emulator.clearFaults();
    return emulator;
  },
  /** One `vaultlink read --json`: the value must match and come from the cache (not printed). */
  async checkCliRead(bin, name, env, expected) {
    const out = await new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [bin, "read", name, "--json"], { env });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => {
        stdout += d;
      });
      child.stderr.on("data", (d) => {
        stderr += d;
      });
      child.on("error", reject);
      child.on("exit", (code) =>
        code === 0
          ? resolve(stdout)
          : reject(new Error(`vaultlink read exited ${code}: ${stderr}`)),
      );
    });
    const r = JSON.parse(out);
    if (r.value !== expected || r.source !== "cache") {
      throw new Error(`vaultlink read gave the wrong value or source (${r.source})`);
    }
  },
};

const results = [];
const errors = [];
try {
  for (const id of selected) {
    process.stderr.write(`${id}…\n`);
    const t0 = performance.now();
    try {
      const r = await SCENARIOS[id](ctx);
      r.elapsedS = (performance.now() - t0) / 1000;
      results.push(r);
      process.stderr.write(`${id}: ${r.metric.display} ${r.pass ? "PASS" : "MISS"}\n`);
    } catch (error) {
      errors.push({ id, error: error.message });
      process.stderr.write(`${id} failed: ${error.stack ?? error.message}\n`);
    }
  }
} finally {
  await emulator?.stop();
  await cleanupHomes();
}

const report = {
  date: new Date().toISOString(),
  machine: machine(),
  provenance: provenance(),
  quick: args.quick,
  scenarios: results.map(roundDeep),
  errors,
};
console.log(table(report));
if (write) {
  await mkdir(fileURLToPath(new URL("../results/", import.meta.url)), { recursive: true });
  await writeFile(RESULTS, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwrote ${RESULTS}`);
}
process.exitCode = errors.length > 0 ? 1 : 0;

function roundDeep(value) {
  if (typeof value === "number") return round(value);
  if (Array.isArray(value)) return value.map(roundDeep);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, roundDeep(v)]));
  }
  return value;
}

/** The results as a Markdown table (the same one docs/performance.md shows). */
export function table({ machine: m, provenance: p, scenarios, errors: failed }) {
  const versions = Object.entries(p?.versions ?? {})
    .filter(([, v]) => v)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
  const lines = [
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.ramGiB} GiB RAM, Node ${m.node}`,
    ...(p
      ? [
          `Commit: ${p.commit ?? "unknown"}${p.dirty ? " (with uncommitted changes)" : ""}; ${p.os}`,
          `Versions: ${versions}`,
        ]
      : []),
    "",
    "| # | scenario | ours (median / p95) | peer (median / p95) | result | target | |",
    "|---|---|---|---|---|---|---|",
  ];
  const cell = (x) => (x ? `${x.label}: ${ms(x.median)} / ${ms(x.p95)}` : "—");
  for (const s of scenarios) {
    const ours = [cell(s.ours), ...(s.extra ?? []).map(cell)].join("<br>");
    lines.push(
      `| ${s.id} | ${s.title} | ${ours} | ${cell(s.peer)} | ${s.metric.display} | ${s.target} | ${s.pass ? "PASS" : "MISS"} |`,
    );
  }
  for (const e of failed) lines.push(`| ${e.id} | failed: ${e.error} | | | | | ERROR |`);
  return lines.join("\n");
}
