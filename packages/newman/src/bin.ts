#!/usr/bin/env node
// Node 20 and older lack module.registerHooks, which the engine hook needs: say so, instead of
// a SyntaxError from the import below (imports are dynamic so that this check runs first).
const major = Number.parseInt(process.versions.node, 10);
if (major < 22) {
  process.stderr.write(
    `vaultlink-newman: needs Node 22 or 24 (22.22.2+, 24.15+); this is Node ${process.versions.node}, whose line has reached end of life.\n` +
      "  Install Node 24 or 22 (for example with nvm: nvm install 24), then run it again.\n",
  );
  process.exit(2);
}
// Next: it must be in place before Newman and its dependencies load.
await import("./dependency-warnings.js");
const { main } = await import("./cli.js");

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`vaultlink-newman: ${(error as Error).message}\n`);
    process.exitCode = 2;
  },
);
