#!/usr/bin/env node
import { parseArgs } from "node:util";
import { createVault, isVaultlinkError, type ProviderDefinition } from "@vaultlink/core";
import { loadCollection } from "./collection/load.js";
import { formatResult, formatSummary } from "./report.js";
import { runCollection } from "./run.js";

const USAGE = `Usage: vaultlink-run-collection <collection.json> [--home dir] [--plugin module]... [--var key=value]...

Runs every request of a Postman Collection v2.1 file, resolving {{vault:name}} references
from your vaultlink vault. The vault is unlocked with VAULTLINK_VAULT_KEY or the OS keychain.
A request whose vault references cannot be resolved is not sent; the exit code is 1 then.

  --home dir        vault directory (default: VAULTLINK_HOME, else your data directory)
  --plugin module   a provider plugin to load for linked secrets (package name or path)
  --var key=value   override a collection variable`;

/** Exit codes: 0 all sent, 1 something stopped or failed, 2 usage or vault problem. */
async function main(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (args.values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const file = args.positionals[0];
  if (!file || args.positionals.length > 1) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const variables: Record<string, string> = {};
  for (const pair of args.values.var ?? []) {
    const at = pair.indexOf("=");
    if (at <= 0) {
      process.stderr.write(`--var needs key=value, got "${pair}".\n`);
      return 2;
    }
    variables[pair.slice(0, at)] = pair.slice(at + 1);
  }

  const collection = await loadCollection(file);
  const providers = await Promise.all((args.values.plugin ?? []).map(loadPlugin));
  const vault = createVault({ ...(args.values.home ? { home: args.values.home } : {}), providers });
  try {
    await vault.unlock();
    const run = await runCollection(collection, {
      vault,
      variables,
      onRequest: (r) => process.stdout.write(`${formatResult(r).join("\n")}\n`),
    });
    process.stdout.write(`\n${formatSummary(run)}\n`);
    return run.ok ? 0 : 1;
  } finally {
    await vault.dispose();
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      home: { type: "string" },
      plugin: { type: "string", multiple: true },
      var: { type: "string", multiple: true },
      help: { type: "boolean", short: "h" },
    },
  });
}

async function loadPlugin(specifier: string): Promise<ProviderDefinition> {
  const url = /^\.{0,2}\//.test(specifier)
    ? new URL(specifier, `file://${process.cwd()}/`).href
    : specifier;
  const mod = (await import(url)) as { default?: ProviderDefinition };
  if (!mod.default)
    throw new Error(
      `${specifier} has no default export; a provider plugin default-exports defineProvider({...}).`,
    );
  return mod.default;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (isVaultlinkError(error)) {
      process.stderr.write(`${error.message}\n${error.hint ? `${error.hint}\n` : ""}`);
    } else {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    }
    process.exitCode = 2;
  },
);
