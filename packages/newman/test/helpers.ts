import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createVault, type ProviderDefinition, type Vault } from "@vaultlink/core";
import { afterEach, beforeEach } from "vitest";

export const FIXTURES = join(import.meta.dirname, "fixtures");
export const COLLECTION = join(FIXTURES, "collection.json");
export const BIN = join(import.meta.dirname, "..", "dist", "bin.js");
/** The built `vaultlink` CLI (a dev dependency): for what a user does beside a run (the agent). */
export const VAULTLINK_BIN = join(
  dirname(createRequire(import.meta.url).resolve("@vaultlink/cli/package.json")),
  "dist",
  "bin.cjs",
);

export interface Arrival {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RecordingServer {
  port: number;
  arrivals: Arrival[];
  close(): Promise<void>;
}

/** A local HTTP server that records every request that arrived. */
export async function recordingServer(): Promise<RecordingServer> {
  const arrivals: Arrival[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      arrivals.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      res.setHeader("content-type", "application/json");
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    port,
    arrivals,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export const SECRETS = {
  "api-token": "tok-9f8e7d6c5b4a3921",
  "basic-pass": "pw-0a1b2c3d4e5f6789",
  "env-secret": "env-77aa88bb99cc00dd",
  scoped: "scoped-1234567890abcd",
  "to-remove": "remove-me-0011223344",
} as const;

export interface FixtureVault {
  vault: Vault;
  home: string;
  vaultKey: string;
  cleanup(): Promise<void>;
}

/** A fresh vault in its own home with the fixture secrets (and the given providers). */
export async function fixtureVault(providers: ProviderDefinition[] = []): Promise<FixtureVault> {
  const home = mkdtempSync(join(tmpdir(), "vaultlink-newman-"));
  const vault = createVault({ home, keySources: [], providers });
  const { vaultKey } = await vault.create();
  for (const [name, value] of Object.entries(SECRETS)) {
    await vault.secrets.add(name, {
      value,
      ...(name === "scoped" ? { allowedDomains: ["https://api.example.com"] } : {}),
    });
  }
  return {
    vault,
    home,
    vaultKey,
    async cleanup() {
      await vault.dispose();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** What each test of a run gets: a recording server, a fixture vault and an output folder. */
export interface RunSetup {
  server: RecordingServer;
  t: FixtureVault;
  out: string;
}

/**
 * Registers beforeEach/afterEach that give every test a fresh recording server, fixture vault
 * and output folder, and remove them after; the returned object holds the current ones.
 */
export function useRunSetup(
  providers: () => Promise<ProviderDefinition[]> = async () => [],
): RunSetup {
  const setup = {} as RunSetup;
  beforeEach(async () => {
    setup.server = await recordingServer();
    setup.t = await fixtureVault(await providers());
    setup.out = mkdtempSync(join(tmpdir(), "vaultlink-newman-out-"));
  });
  afterEach(async () => {
    await setup.server.close();
    await setup.t.cleanup();
    rmSync(setup.out, { recursive: true, force: true });
  });
  return setup;
}

export interface BinRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Run a Node program in a child with only PATH, HOME and the given variables, asynchronously
 * so a recording server in this process keeps answering.
 */
export function runNode(args: readonly string[], env: Record<string, string>): Promise<BinRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env: { PATH: process.env.PATH ?? "", ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => {
      stdout += c;
    });
    child.stderr.on("data", (c) => {
      stderr += c;
    });
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

/** The built `vaultlink-newman` binary, with the setup's vault as the user's vault. */
export function runBin(
  setup: RunSetup,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<BinRun> {
  return runNode([BIN, ...args], { HOME: setup.out, VAULTLINK_HOME: setup.t.home, ...env });
}
