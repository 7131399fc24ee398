import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CreateVaultOptions, createVault, type Vault } from "@vaultlink/core";
import { afterEach, beforeEach } from "vitest";

/** What a test server saw of one request. */
export interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

export interface TestServer {
  /** Base URL, e.g. http://127.0.0.1:54321 */
  origin: string;
  received: Recorded[];
  /** Answer requests whose path starts with `path` with this status and headers. */
  respond(path: string, status: number, headers?: Record<string, string>): void;
  close(): Promise<void>;
}

/**
 * An HTTP server that records every request it receives. `host` picks the name it is reached
 * by: "127.0.0.1" and "localhost" are different hosts to allowed-domain matching, so two
 * servers stand for a trusted API and somewhere else.
 */
export async function startServer(host: "127.0.0.1" | "localhost"): Promise<TestServer> {
  const received: Recorded[] = [];
  const routes: Array<{ path: string; status: number; headers: Record<string, string> }> = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      });
      const route = routes.find((r) => (req.url ?? "").startsWith(r.path));
      res.writeHead(route?.status ?? 200, route?.headers ?? { "content-type": "text/plain" });
      res.end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://${host}:${port}`,
    received,
    respond(path, status, headers = {}) {
      routes.push({ path, status, headers });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface TestVault {
  vault: Vault;
  close(): Promise<void>;
}

/** A new vault in a temporary home, created and unlocked; no key source is consulted. */
export async function createTestVault(options: CreateVaultOptions = {}): Promise<TestVault> {
  const home = await mkdtemp(join(tmpdir(), "vaultlink-embed-"));
  const vault = createVault({ home, keySources: [], ...options });
  await vault.create();
  return {
    vault,
    async close() {
      await vault.dispose();
      await rm(home, { recursive: true, force: true });
    },
  };
}

/** What every runner test works against; the fields are fresh for each test. */
export interface TestBed {
  /** The API the collection talks to, reached as 127.0.0.1. */
  api: TestServer;
  /** Somewhere else, reached as localhost: a different host to allowed-domain matching. */
  outside: TestServer;
  /** A new vault, created and unlocked. */
  vault: Vault;
}

/**
 * Registers `beforeEach`/`afterEach` hooks that give every test of the calling `describe` two
 * recording servers and a new vault (built with `options`), then run `seed`; all of it is
 * closed and deleted after the test.
 */
export function useTestBed(
  options: CreateVaultOptions = {},
  seed?: (bed: TestBed) => Promise<void>,
): TestBed {
  const bed = {} as TestBed;
  let owned: TestVault | undefined;
  beforeEach(async () => {
    bed.api = await startServer("127.0.0.1");
    bed.outside = await startServer("localhost");
    owned = await createTestVault(options);
    bed.vault = owned.vault;
    await seed?.(bed);
  });
  afterEach(async () => {
    await Promise.all([bed.api?.close(), bed.outside?.close(), owned?.close()]);
    owned = undefined;
  });
  return bed;
}

/** A secret value that cannot appear anywhere by chance. */
export function secretValue(label: string): string {
  return `${label}-${randomBytes(12).toString("hex")}`;
}

/** Everything a server received, as one string to search. */
export function everything(received: readonly Recorded[]): string {
  return JSON.stringify(received);
}
