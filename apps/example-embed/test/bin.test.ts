import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createVault } from "@vaultlink/core";
import { expectNoSecretIn } from "@vaultlink/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { collection, request, secretValue, startServer, type TestServer } from "./helpers.js";

// The built binary: `pnpm test` builds first (turbo), as does the pre-commit check.
const BIN = fileURLToPath(new URL("../dist/bin.js", import.meta.url));

interface Exit {
  code: number;
  stdout: string;
  stderr: string;
}

function runBin(args: string[], env: Record<string, string>): Promise<Exit> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { PATH: process.env.PATH ?? "", ...env } },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

describe("vaultlink-run-collection", () => {
  let api: TestServer;
  let dir: string;
  let home: string;
  let vaultKey: string;
  const token = secretValue("bin-token");

  beforeEach(async () => {
    api = await startServer("127.0.0.1");
    dir = await mkdtemp(join(tmpdir(), "vaultlink-embed-bin-"));
    home = join(dir, "vault");
    const vault = createVault({ home, keySources: [] });
    vaultKey = (await vault.create()).vaultKey;
    await vault.secrets.add("token", { value: token, allowedDomains: ["http://127.0.0.1"] });
    await vault.dispose();
  });

  afterEach(async () => {
    await api.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function writeCollection(items: Parameters<typeof collection>[0]): Promise<string> {
    const file = join(dir, "collection.json");
    await writeFile(file, JSON.stringify(collection(items)));
    return file;
  }

  it("unlocks with VAULTLINK_VAULT_KEY, sends, masks, and exits 0 when everything was sent", async () => {
    const file = await writeCollection([
      request("get", `${api.origin}/ok?k={{vault:token}}`, {
        headers: { "X-K": "{{vault:token}}" },
      }),
    ]);
    const out = await runBin([file, "--home", home], { VAULTLINK_VAULT_KEY: vaultKey });

    expect(out.code).toBe(0);
    expect(out.stdout).toContain(`GET ${api.origin}/ok?k={{vault:token}} → 200`);
    expect(out.stdout).toContain("1 request: 1 sent, 0 stopped");
    expect(api.received[0]?.headers["x-k"] === token).toBe(true);
    expectNoSecretIn(out, [token], "the binary's output");
  });

  it("exits 1 and prints the reason and fix when a request was stopped", async () => {
    const file = await writeCollection([
      request("missing", `${api.origin}/a`, { headers: { "X-K": "{{vault:nope}}" } }),
      request("fine", `${api.origin}/b`, { headers: { "X-K": "{{vault:token}}" } }),
    ]);
    const out = await runBin([file, "--home", home], { VAULTLINK_VAULT_KEY: vaultKey });

    expect(out.code).toBe(1);
    expect(out.stdout).toContain("✗ missing (not sent)");
    expect(out.stdout).toContain("{{vault:nope}} missing:");
    expect(out.stdout).toContain("fix: add it: vaultlink secret add nope");
    expect(out.stdout).toContain("2 requests: 1 sent, 1 stopped");
    expect(api.received.map((r) => r.url)).toEqual(["/b"]);
    expectNoSecretIn(out, [token], "the binary's output");
  });

  it("exits 2 with the vault's error when the key is wrong", async () => {
    const file = await writeCollection([request("get", `${api.origin}/x`)]);
    const wrongKey = `vlk_${"A".repeat(43)}`;
    const out = await runBin([file, "--home", home], { VAULTLINK_VAULT_KEY: wrongKey });

    expect(out.code).toBe(2);
    expect(out.stderr.length).toBeGreaterThan(0);
    expect(api.received).toHaveLength(0);
    expectNoSecretIn(out, [vaultKey], "the binary's output");
  });
});
