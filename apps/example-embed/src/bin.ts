#!/usr/bin/env node
import { parseArgs } from "node:util";
import { createVault, isVaultlinkError, type ProviderDefinition } from "@vaultlink/core";
import type { VaultRequest } from "./request/types.js";
import { formatOutcome, vaultFetch } from "./vault-fetch.js";

const USAGE = `Usage: vaultlink-fetch [-X method] [-H "Name: value"]... [-d body] [--home dir] [--plugin module]... <url>

Sends one HTTP request, resolving {{vault:name}} references in the URL, header values and
body from your vaultlink vault, each against the URL the request really goes to. The vault is
unlocked with VAULTLINK_VAULT_KEY or the OS keychain. A request whose references cannot be
resolved is not sent. Prints what happened (never a value); not the response body.

  -X, --request method   HTTP method (default GET, or POST with -d)
  -H, --header "N: v"    a request header; repeatable
  -d, --data body        the request body
  --home dir             vault directory (default: VAULTLINK_HOME, else your data directory)
  --plugin module        a provider plugin to load for linked secrets (package name or path)`;

/** Exit codes: 0 sent (any HTTP status), 1 not sent or no response, 2 usage or vault problem. */
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
  const url = args.positionals[0];
  if (!url || args.positionals.length > 1) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const headers: Record<string, string> = {};
  for (const line of args.values.header ?? []) {
    const at = line.indexOf(":");
    if (at <= 0) {
      process.stderr.write(`-H needs "Name: value", got "${line}".\n`);
      return 2;
    }
    headers[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  const data = args.values.data;
  const request: VaultRequest = {
    method: args.values.request ?? (data !== undefined ? "POST" : "GET"),
    url,
    headers,
    ...(data !== undefined ? { body: data } : {}),
  };

  const providers = await Promise.all((args.values.plugin ?? []).map(loadPlugin));
  const vault = createVault({ ...(args.values.home ? { home: args.values.home } : {}), providers });
  try {
    await vault.unlock();
    const outcome = await vaultFetch(vault, request);
    process.stdout.write(`${formatOutcome(request, outcome).join("\n")}\n`);
    return outcome.outcome === "sent" ? 0 : 1;
  } finally {
    await vault.dispose();
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      request: { type: "string", short: "X" },
      header: { type: "string", short: "H", multiple: true },
      data: { type: "string", short: "d" },
      home: { type: "string" },
      plugin: { type: "string", multiple: true },
      help: { type: "boolean" },
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
