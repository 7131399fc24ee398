import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fixtureVault, recordingServer, SECRETS } from "./helpers.js";

const bin = join(import.meta.dirname, "..", "dist", "bin.js");
const fixtures = join(import.meta.dirname, "fixtures");

describe("the vaultlink-newman binary", () => {
  let server: Awaited<ReturnType<typeof recordingServer>>;
  let t: Awaited<ReturnType<typeof fixtureVault>>;
  let out: string;
  beforeEach(async () => {
    server = await recordingServer();
    t = await fixtureVault();
    out = mkdtempSync(join(tmpdir(), "vaultlink-newman-cli-"));
  });
  afterEach(async () => {
    await server.close();
    await t.cleanup();
    rmSync(out, { recursive: true, force: true });
  });

  const cli = (args: string[], env: Record<string, string> = {}) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      // Asynchronous, so the recording server in this process keeps answering.
      import("node:child_process").then(({ spawn }) => {
        const child = spawn(process.execPath, [bin, ...args], {
          env: { PATH: process.env.PATH ?? "", HOME: out, VAULTLINK_HOME: t.home, ...env },
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (c) => {
          stdout += c;
        });
        child.stderr.on("data", (c) => {
          stderr += c;
        });
        child.on("close", (status) => resolve({ status, stdout, stderr }));
      });
    });

  it("runs like `newman run`, prints no secret, writes the junit file and lists unresolved references", async () => {
    const junit = join(out, "report.xml");
    const r = await cli(
      [
        "run",
        join(fixtures, "collection.json"),
        "-e",
        join(fixtures, "environment.json"),
        "-d",
        join(fixtures, "data.json"),
        "--env-var",
        `port=${server.port}`,
        "--env-var",
        "expectVault=Vault access denied",
        "-r",
        "cli,junit",
        "--reporter-junit-export",
        junit,
        "--timeout-request",
        "10000",
      ],
      { VAULTLINK_VAULT_KEY: t.vaultKey },
    );
    expect(r.stderr).toContain(
      '{{vault:scoped}} in "wrong host" (domain-not-allowed, sent as written)',
    );
    expect(r.stderr).toContain("fix: add it: vaultlink secret add not-there");
    expect(r.stdout).toContain("↳ bearer");
    expect(r.stdout).toContain("********");
    // The script logs the token to the console: it is masked there.
    expect(r.stdout).toMatch(/sent to[\s\S]*q=[\s\S]*\*{8}/);
    expect(r.status).toBe(0);
    expect(server.arrivals).toHaveLength(12);
    const junitText = readFileSync(junit, "utf8");
    expect(junitText).toContain("<testsuites");
    for (const value of Object.values(SECRETS)) {
      expect(r.stdout).not.toContain(value);
      expect(r.stderr).not.toContain(value);
      expect(junitText).not.toContain(value);
    }
  });

  it("exits 1 when --vault-unresolved=error stops a request", async () => {
    const r = await cli(
      [
        "run",
        join(fixtures, "collection.json"),
        "--env-var",
        `port=${server.port}`,
        "-r",
        "cli",
        "--vault-unresolved",
        "error",
      ],
      { VAULTLINK_VAULT_KEY: t.vaultKey },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("request not sent");
  });

  it("a locked vault is a clear error naming what to do, exit 2", async () => {
    const r = await cli(["run", join(fixtures, "collection.json")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("locked");
    expect(r.stderr).toContain("VAULTLINK_VAULT_KEY");
    expect(r.stderr).not.toContain("    at ");
    expect(server.arrivals).toHaveLength(0);
  });

  it("bad options are refused before anything runs", async () => {
    const r = await cli(["run", join(fixtures, "collection.json"), "--vault-unresolved", "maybe"], {
      VAULTLINK_VAULT_KEY: t.vaultKey,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("maybe");
  });
});
