#!/usr/bin/env node
import { enableCompileCache } from "./compile-cache.js";
import { quickRead, quickReadRequest } from "./quick-read.js";

// The cache must be on before the rest of the CLI is loaded, hence the dynamic imports.
enableCompileCache();

async function start(): Promise<void> {
  // `read` of a cached or local value is answered from the files alone; anything else (or any
  // doubt) runs the full CLI, which also reports every problem.
  const quick = quickReadRequest(process.argv.slice(2));
  if (quick && (await quickRead(quick))) return;
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
