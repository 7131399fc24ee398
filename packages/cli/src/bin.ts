#!/usr/bin/env node
import { enableCompileCache } from "./compile-cache.js";

// The cache must be on before the rest of the CLI is loaded, hence the dynamic import.
enableCompileCache();
// `vaultlink … | head -1` closes our stdout early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
}
import("./main.js").then(({ main }) =>
  main(process.argv).then((code) => {
    process.exitCode = code;
  }),
);
