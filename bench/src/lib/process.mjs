import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { summarize } from "./stats.mjs";

export { runAsync };

export function hyperfineVersion() {
  const r = spawnSync("hyperfine", ["--version"], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/**
 * Whole-process timings of `commands` ({ label: [file, ...args] }), run without a shell.
 * hyperfine when it is installed, else our own loop (interleaved, with warmup).
 * Returns { tool, results: { label: summary } } with times in milliseconds.
 */
export async function timeProcesses(commands, { warmup = 5, runs = 40, env = process.env } = {}) {
  const hyperfine = hyperfineVersion();
  if (hyperfine)
    return { tool: hyperfine, results: await viaHyperfine(commands, warmup, runs, env) };
  return {
    tool: "own spawn loop (interleaved)",
    results: await viaLoop(commands, warmup, runs, env),
  };
}

function quote(arg) {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

/**
 * hyperfine runs all runs of one command before the next; on a shared, busy machine that
 * biases the ratio. So it is called in `ROUNDS` rounds with the order alternating, and the
 * samples are pooled.
 */
const ROUNDS = 4;

/**
 * Run a program to its end without blocking this process's event loop: the emulators that
 * the timed commands talk to are served from it.
 */
function runAsync(file, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("exit", (status) => resolve({ status, stdout, stderr }));
  });
}

async function viaHyperfine(commands, warmup, runs, env) {
  const dir = mkdtempSync(join(tmpdir(), "vaultlink-hyperfine-"));
  const times = Object.fromEntries(Object.keys(commands).map((l) => [l, []]));
  const cpu = Object.fromEntries(Object.keys(commands).map((l) => [l, []]));
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const out = join(dir, `round-${round}.json`);
      const labels = Object.keys(commands);
      if (round % 2 === 1) labels.reverse();
      const perRound = Math.max(2, Math.ceil(runs / ROUNDS));
      const args = ["-N", "--warmup", String(warmup), "--runs", String(perRound)];
      args.push("--export-json", out, "--style", "none");
      for (const label of labels) args.push("-n", label, commands[label].map(quote).join(" "));
      const r = await runAsync("hyperfine", args, env);
      if (r.status !== 0) throw new Error(`hyperfine failed: ${r.stderr}`);
      const parsed = JSON.parse(readFileSync(out, "utf8"));
      for (const res of parsed.results) {
        times[res.command].push(...res.times.map((t) => t * 1000));
        cpu[res.command].push((res.user + res.system) * 1000);
      }
    }
    // CPU time (user + system, mean per run) drifts less than wall time on a loaded machine.
    const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
    return Object.fromEntries(
      Object.entries(times).map(([l, t]) => [
        l,
        Object.assign(summarize(t), { cpuMs: mean(cpu[l]) }),
      ]),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function once([file, ...args], env) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(file, args, { env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      const elapsed = performance.now() - t0;
      if (code === 0) resolve(elapsed);
      else reject(new Error(`${file} ${args.join(" ")} exited ${code}: ${stderr}`));
    });
  });
}

async function viaLoop(commands, warmup, runs, env) {
  const labels = Object.keys(commands);
  const samples = Object.fromEntries(labels.map((l) => [l, []]));
  for (let i = 0; i < warmup + runs; i++) {
    for (const label of i % 2 ? [...labels].reverse() : labels) {
      const t = await once(commands[label], env);
      if (i >= warmup) samples[label].push(t);
    }
  }
  return Object.fromEntries(labels.map((l) => [l, summarize(samples[l])]));
}
