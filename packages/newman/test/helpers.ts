import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createVault, type ProviderDefinition, type Vault } from "@vaultlink/core";

export interface Arrival {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A local HTTP server that records every request that arrived. */
export async function recordingServer(): Promise<{
  port: number;
  arrivals: Arrival[];
  close(): Promise<void>;
}> {
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

/** A fresh vault in its own home with the fixture secrets (and the given providers). */
export async function fixtureVault(providers: ProviderDefinition[] = []): Promise<{
  vault: Vault;
  home: string;
  vaultKey: string;
  cleanup(): Promise<void>;
}> {
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
