import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { constants } from "node:os";
import { parseEnv } from "node:util";
import type { Command } from "commander";
import { askAgent, runningAgent } from "../agent-link.js";
import { CliError, ExitCode, SilentExit } from "../errors.js";
import { withoutHostAdditions } from "../host-env.js";
import { unresolvedError } from "../unresolved.js";
import { type Opts, withVault } from "./common.js";

async function envFile(path: string): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new CliError(
      `Cannot read the env file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`,
      { exitCode: ExitCode.usage },
    );
  }
  return parseEnv(text) as Record<string, string>;
}

/**
 * Run a command with references in its environment resolved; mask values in its output.
 * Every referenced value is resolved once: the same values go into the environment and into
 * the masking (a one-time code is masked as exactly the code the command got).
 */
export async function run(command: string[], opts: Opts, cmd: Command): Promise<void> {
  const [file, ...args] = command;
  if (!file)
    throw new CliError("No command to run.", { hint: "vaultlink run -- <command> [args…]" });
  const merged: Record<string, string | undefined> = withoutHostAdditions({ ...process.env });
  if (typeof opts.dotenv === "string") Object.assign(merged, await envFile(opts.dotenv));
  const { childEnvironment, findReferences, malformedReferences, OutputMasker, substitute } =
    await import("@vaultlink/core");
  const keep = Array.isArray(opts.keepEnv) ? (opts.keepEnv as string[]) : [];
  const { env } = childEnvironment(merged, { keep, keySource: process.env });
  // A reference that names no secret is refused like an unresolved one, before the vault opens.
  const malformed = Object.values(env).flatMap((v) => (v ? malformedReferences(v) : []));
  if (malformed.length > 0 && opts.allowUnresolved !== true) {
    throw unresolvedError(malformed);
  }
  const withRefs = Object.entries(env).filter(([, v]) => findReferences(v).length > 0);
  const values = new Map<string, string>();
  if (withRefs.length > 0) {
    const names = [...new Set(withRefs.flatMap(([, v]) => findReferences(v)))];
    const resolveOpts = typeof opts.url === "string" ? { url: opts.url } : {};
    const agent = await runningAgent();
    const results = agent
      ? await askAgent(agent, (a) => a.resolveMany(names, resolveOpts))
      : await withVault(cmd, (o) => o.vault.resolveMany(names, resolveOpts));
    const unresolved = results.filter((r) => !r.ok);
    if (unresolved.length > 0 && opts.allowUnresolved !== true) {
      throw unresolvedError(unresolved.map(({ ok: _ok, ...u }) => u as never));
    }
    for (const r of results) if (r.ok) values.set(r.name, r.value);
    for (const [k, v] of withRefs) env[k] = substitute(v, values);
  }
  const secrets = [...values.values()];
  const mask = opts.masking !== false && secrets.some((s) => s !== "");
  const child = spawn(file, args, { env, stdio: mask ? ["inherit", "pipe", "pipe"] : "inherit" });
  const forward = (signal: NodeJS.Signals) => () => {
    child.kill(signal);
  };
  const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  const handlers = signals.map((s) => [s, forward(s)] as const);
  for (const [s, h] of handlers) process.on(s, h);
  const drained: Promise<void>[] = [];
  if (mask && child.stdout && child.stderr) {
    // One masker for both streams: a value split between stdout and stderr is still found.
    const masker = new OutputMasker(secrets, { forms: ["url", "json"] });
    for (const [from, to] of [
      [child.stdout, process.stdout],
      [child.stderr, process.stderr],
    ] as const) {
      const m = masker.stream((b) => to.write(b));
      from.on("data", (chunk: Buffer) => m.push(chunk));
      drained.push(
        new Promise((res) =>
          from.on("end", () => {
            m.end();
            res();
          }),
        ),
      );
    }
  }
  const outcome = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
    (resolve, reject) => {
      child.on("error", (error: NodeJS.ErrnoException) => reject(spawnFailure(file, error)));
      child.on("exit", (code, signal) => resolve({ code, signal }));
    },
  );
  await Promise.all(drained);
  for (const [s, h] of handlers) process.off(s, h);
  if (outcome.signal) {
    // Die of the same signal, as a shell would see it.
    process.kill(process.pid, outcome.signal);
    await new Promise((r) => setTimeout(r, 100));
    throw new SilentExit(128 + (constants.signals[outcome.signal] ?? 0));
  }
  if (outcome.code !== 0) throw new SilentExit(outcome.code ?? ExitCode.other);
}

/** A command that could not start, told the way a shell tells it: 127 not found, 126 not runnable. */
function spawnFailure(file: string, error: NodeJS.ErrnoException): CliError {
  if (error.code === "ENOENT")
    return new CliError(`Cannot run ${file}: command not found.`, {
      hint: "Check the command name and PATH.",
      exitCode: 127,
      code: "COMMAND_NOT_FOUND",
    });
  if (error.code === "EACCES" || error.code === "EISDIR" || error.code === "ENOEXEC")
    return new CliError(`Cannot run ${file}: it is not an executable file (${error.code}).`, {
      hint: `Give a program or script with execute permission (chmod +x ${file}), not a directory.`,
      exitCode: 126,
      code: "COMMAND_NOT_EXECUTABLE",
    });
  return new CliError(`Cannot run ${file}: ${error.message}.`, {
    hint: "Check the command name and PATH.",
    exitCode: ExitCode.other,
    code: `OS_${error.code ?? "SPAWN"}`,
  });
}
