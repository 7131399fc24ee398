#!/usr/bin/env node
// First: it must be in place before Newman and its dependencies load.
import "./dependency-warnings.js";
import { main } from "./cli.js";

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`vaultlink-newman: ${(error as Error).message}\n`);
    process.exitCode = 2;
  },
);
