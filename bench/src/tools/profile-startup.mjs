/**
 * Where does `vaultlink read` spend its start-up? Runs the command under `node --cpu-prof`
 * several times and sums self time per package (node_modules package, workspace package,
 * or node internals). Usage (the bench's B1 prints the env it uses):
 *
 *   VAULTLINK_HOME=… VAULTLINK_VAULT_KEY=… node bench/src/tools/profile-startup.mjs [runs] -- <node args…>
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A readable bucket for a script URL. */
export function bucketOf(url) {
  if (!url) return "(vm: gc, compile, idle, native)";
  if (url.startsWith("node:")) return "node internals";
  const pnpm = url.match(/node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (pnpm) return pnpm[1];
  const nm = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (nm) return nm[1];
  const ws = url.match(/\/(packages|apps)\/([^/]+)\//);
  if (ws) return `@vaultlink/${ws[2]} (workspace)`;
  return url;
}

/** Self time (ms) per bucket of one .cpuprofile. */
export function selfTimeByBucket(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    const node = byId.get(samples[i]);
    const fn = node?.callFrame.functionName;
    const bucket =
      fn === "(garbage collector)"
        ? "(garbage collector)"
        : fn === "(idle)"
          ? "(idle)"
          : bucketOf(node?.callFrame.url);
    selfUs.set(bucket, (selfUs.get(bucket) ?? 0) + (timeDeltas[i] ?? 0));
  }
  return new Map([...selfUs].map(([k, v]) => [k, v / 1000]));
}

/** Profile `args` (arguments to node) `runs` times; mean self ms per bucket, largest first. */
export function profileStartup(args, runs = 5, env = process.env) {
  const dir = mkdtempSync(join(tmpdir(), "vaultlink-cpuprof-"));
  try {
    for (let i = 0; i < runs; i++) {
      const r = spawnSync(
        process.execPath,
        ["--cpu-prof", "--cpu-prof-dir", dir, "--cpu-prof-interval", "100", ...args],
        { env, stdio: ["ignore", "ignore", "pipe"] },
      );
      if (r.status !== 0) throw new Error(`profiled run failed: ${r.stderr}`);
    }
    const totals = new Map();
    const files = readdirSync(dir).filter((f) => f.endsWith(".cpuprofile"));
    for (const f of files) {
      const p = JSON.parse(readFileSync(join(dir, f), "utf8"));
      for (const [k, v] of selfTimeByBucket(p)) totals.set(k, (totals.get(k) ?? 0) + v);
    }
    return [...totals]
      .map(([bucket, total]) => ({ bucket, selfMs: total / files.length }))
      .sort((a, b) => b.selfMs - a.selfMs);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sep = process.argv.indexOf("--");
  const runs = Number(process.argv[2]) || 5;
  const args = sep === -1 ? [] : process.argv.slice(sep + 1);
  if (args.length === 0) {
    console.error("usage: profile-startup.mjs [runs] -- <node args…>");
    process.exit(2);
  }
  for (const row of profileStartup(args, runs)) {
    if (row.selfMs >= 0.5) console.log(`${row.selfMs.toFixed(1).padStart(8)} ms  ${row.bucket}`);
  }
}
