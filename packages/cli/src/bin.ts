#!/usr/bin/env node
import { enableCompileCache } from "./compile-cache.js";

// The cache must be on before the rest of the CLI is loaded, hence the dynamic import.
enableCompileCache();
import("./main.js").then(({ main }) =>
  main(process.argv).then((code) => {
    process.exitCode = code;
  }),
);
