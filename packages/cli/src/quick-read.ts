import { writeSync } from "node:fs";
import { parseArgs } from "node:util";
import type { Resolution } from "@vaultlink/core";

/** A `vaultlink read` the quick path may answer: nothing but the name and read's own flags. */
export interface QuickRead {
  name: string;
  url?: string;
  json: boolean;
  newline: boolean;
}

/**
 * `read <name> [--url <url>] [-n|--no-newline] [--json]` and nothing else (Node's own
 * `util.parseArgs`, strict), or undefined: any other command, flag or form goes to the full
 * CLI, whose parser (commander) defines and reports everything.
 */
export function quickReadRequest(args: readonly string[]): QuickRead | undefined {
  if (args[0] !== "read") return undefined;
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args.slice(1));
  } catch {
    return undefined;
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1 || positionals[0] === undefined) return undefined;
  return {
    name: positionals[0],
    ...(values.url !== undefined ? { url: values.url } : {}),
    json: values.json === true,
    newline: values["no-newline"] !== true,
  };
}

function parse(args: string[]) {
  return parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      url: { type: "string" },
      "no-newline": { type: "boolean", short: "n" },
      json: { type: "boolean" },
    },
  });
}

/**
 * Answer a read through a running agent. False when none runs (one existence check of its
 * socket; a stale socket counts as none): then nothing was printed. An unresolved secret or
 * an agent's refusal is reported here exactly as the full path reports it.
 */
export async function agentQuickRead(request: QuickRead): Promise<boolean> {
  const { AgentClient } = await import("@vaultlink/core/agent");
  const options = request.url !== undefined ? { url: request.url } : {};
  let answer: Resolution | undefined;
  let failure: unknown;
  try {
    const agent = await AgentClient.connect();
    if (agent === undefined) return false;
    try {
      answer = await agent.resolve(request.name, options);
    } finally {
      agent.close();
    }
  } catch (error) {
    failure = error;
  }
  if (answer?.ok) {
    const { readOutput } = await import("./agent-link.js");
    writeOut(Buffer.from(readOutput(answer, request), "utf8"));
    return true;
  }
  const { report } = await import("./main.js");
  const { asCliError } = await import("./agent-link.js");
  const { readUnresolvedError } = await import("./unresolved.js");
  const error =
    answer !== undefined && !answer.ok
      ? readUnresolvedError(request.name, answer)
      : asCliError(failure);
  process.exitCode = await report(error, { debug: false, json: request.json });
  return true;
}

/**
 * Answer a read from the vault and cache files alone (`@vaultlink/core/quick`), printing
 * exactly what `read` prints. False when the full path must run: then nothing was printed.
 */
export async function quickRead(request: QuickRead): Promise<boolean> {
  const { readServable } = await import("@vaultlink/core/quick");
  const served = await readServable(
    request.name,
    request.url !== undefined ? { url: request.url } : {},
  );
  if (served === undefined) return false;
  const text = request.json
    ? `${JSON.stringify({ name: served.name, value: served.value, source: served.source })}\n`
    : request.newline
      ? `${served.value}\n`
      : served.value;
  writeOut(Buffer.from(text, "utf8"));
  return true;
}

/**
 * Write to fd 1 without building process.stdout (its stream machinery costs more start-up time
 * than the whole read). A closed pipe is the reader's choice, as on the full path; anything
 * else (a full non-blocking pipe: EAGAIN) hands the rest to process.stdout, which deals with it.
 */
function writeOut(bytes: Buffer): void {
  let written = 0;
  try {
    while (written < bytes.length) written += writeSync(1, bytes, written);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EPIPE") return;
    process.stdout.write(bytes.subarray(written));
  }
}
