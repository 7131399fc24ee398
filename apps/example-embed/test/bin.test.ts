import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createVault } from "@vaultlink/core";
import { expectNoSecretIn } from "@vaultlink/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { secretValue, startServer, type TestServer } from "./helpers.js";

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

describe("vaultlink-fetch", () => {
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

  it("unlocks with VAULTLINK_VAULT_KEY, sends, masks, and exits 0 once the request was sent", async () => {
    const url = `${api.origin}/ok?k={{vault:token}}`;
    const out = await runBin(["-H", "X-K: {{vault:token}}", "--home", home, url], {
      VAULTLINK_VAULT_KEY: vaultKey,
    });

    expect(out.code).toBe(0);
    expect(out.stdout).toContain(`✓ GET ${url} → 200`);
    expect(out.stdout).toContain("vault secrets sent: token");
    expect(api.received[0]?.headers["x-k"] === token).toBe(true);
    expect(api.received[0]?.url === `/ok?k=${token}`).toBe(true);
    expectNoSecretIn(out, [token], "the binary's output");
  });

  it("exits 1 and prints the reason and fix when the request was not sent", async () => {
    const out = await runBin(
      [
        "-X",
        "post",
        "-d",
        "{{vault:token}}",
        "-H",
        "X-K: {{vault:nope}}",
        "--home",
        home,
        `${api.origin}/a`,
      ],
      { VAULTLINK_VAULT_KEY: vaultKey },
    );

    expect(out.code).toBe(1);
    expect(out.stdout).toContain(`✗ POST ${api.origin}/a (not sent)`);
    expect(out.stdout).toContain("{{vault:nope}} missing:");
    expect(out.stdout).toContain("fix: add it: vaultlink secret add nope");
    expect(api.received).toHaveLength(0);
    expectNoSecretIn(out, [token], "the binary's output");
  });

  it("exits 2 with the vault's error when the key is wrong, and on a bad header", async () => {
    const wrongKey = `vlk_${"A".repeat(43)}`;
    const out = await runBin(["--home", home, `${api.origin}/x`], {
      VAULTLINK_VAULT_KEY: wrongKey,
    });
    expect(out.code).toBe(2);
    expect(out.stderr.length).toBeGreaterThan(0);
    const bad = await runBin(["-H", "no colon", `${api.origin}/x`], {
      VAULTLINK_VAULT_KEY: vaultKey,
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('-H needs "Name: value"');
    expect(api.received).toHaveLength(0);
    expectNoSecretIn([out, bad], [vaultKey], "the binary's output");
  });
});
