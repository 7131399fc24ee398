#!/usr/bin/env node
import { enableCompileCache } from "./compile-cache.js";
import { quietHostedLibraries } from "./host-env.js";
import { envFileRefusal, oldNodeRefusal } from "./launch-check.js";
import { agentQuickRead, quickRead, quickReadRequest } from "./quick-read.js";

/**
 * Ctrl-C exits 130 and SIGTERM 143 (128 + the signal number, as shells report them), quietly.
 * A command that installs its own handler (run forwards signals to its child) takes over.
 * Writes are atomic (temp file + rename), so stopping at any moment loses nothing.
 */
for (const [signal, code] of [
  ["SIGINT", 130],
  ["SIGTERM", 143],
] as const) {
  process.on(signal, () => {
    if (process.listenerCount(signal) > 1) return;
    process.exit(code);
  });
}

quietHostedLibraries();

async function start(): Promise<void> {
  const tooOld = oldNodeRefusal();
  if (tooOld !== undefined) {
    process.stderr.write(tooOld);
    process.exitCode = 1;
    return;
  }
  // Node has already read an env file named in our arguments; refuse before doing anything.
  const refusal = envFileRefusal(process.argv.slice(2));
  if (refusal !== undefined) {
    process.stderr.write(refusal);
    process.exitCode = 2; // usage error (errors.ts)
    return;
  }
  // `read` of a cached or local value is answered from the files alone; anything else (or any
  // doubt) runs the full CLI, which also reports every problem.
  // With an agent running, it answers (no vault key needed here); without one, the files.
  const quick = quickReadRequest(process.argv.slice(2));
  if (quick && ((await agentQuickRead(quick)) || (await quickRead(quick)))) return;
  // The compile cache pays off for the full CLI's chunks; for the quick path's two small files
  // its bookkeeping cost more than it saved (measured on Node 24). It must be on before the
  // rest of the CLI loads, hence the dynamic import below.
  enableCompileCache();
  // `vaultlink … | head -1` closes our stdout early: that is the reader's choice, not an error.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
  const { main } = await import("./main.js");
  process.exitCode = await main(process.argv);
}

void start();
