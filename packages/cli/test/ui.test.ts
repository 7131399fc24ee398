/**
 * `vaultlink ui` through the built binary: it opens the vault, serves the screen on 127.0.0.1,
 * prints the one-time address on stdout, and Ctrl-C stops it and closes the vault. Other
 * commands never load the screen's package or the browser opener.
 */
import { spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BIN,
  baseEnv,
  CLI_DIR,
  cli,
  FIXTURES,
  newVault,
  noStack,
  type TestVault,
} from "./helpers.js";

const VALUE = "cli-ui-value-7f3e21a9";
const UI_MODULES =
  /@vaultlink[\\/]ui|packages[\\/]ui[\\/]dist|[\\/]hono[\\/]|@hono|[\\/]open[\\/]|[\\/]ui-[\w-]+\.cjs$/;

function get(url: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = request(url, { headers }, (res) => {
        let body = "";
        res.on("data", (d: Buffer) => (body += d.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on("error", reject);
      req.end();
    },
  );
}

describe("vaultlink ui", () => {
  let v: TestVault;
  beforeAll(async () => {
    v = await newVault();
    const added = await v.run(["secret", "add", "api-key", "--domains", "api.example.com"], {
      input: VALUE,
    });
    expect(added.code, added.stderr).toBe(0);
  });
  afterAll(() => v.cleanup());

  it("serves the screen on 127.0.0.1, signs in once, and Ctrl-C stops it (exit 130)", async () => {
    const modules = join(v.home, "ui-modules.txt");
    const child = spawn(
      process.execPath,
      [
        "--import",
        join(FIXTURES, "record-modules.mjs"),
        BIN,
        "ui",
        "--no-open",
        "--idle-minutes",
        "5",
      ],
      {
        cwd: CLI_DIR,
        env: baseEnv({ ...v.env, RECORD_MODULES_FILE: modules }),
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) =>
      child.on("close", (code) => resolve(code)),
    );
    try {
      await expect.poll(() => stdout.includes("\n"), { timeout: 30_000, interval: 50 }).toBe(true);
      const launch = new URL(stdout.trim());
      expect(launch.hostname).toBe("127.0.0.1");
      expect(launch.pathname).toBe("/login");
      expect(launch.searchParams.get("token")).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(stderr).toContain("locks after 5 idle minutes");
      const login = await get(launch.href);
      expect(login.status).toBe(303);
      const cookie = String(login.headers["set-cookie"]).split(";")[0] ?? "";
      const page = await get(`http://127.0.0.1:${launch.port}/`, { cookie });
      expect(page.status).toBe(200);
      expect(page.body).toContain('<script type="module" src="/app.js">');
      // The token worked once only.
      expect((await get(launch.href)).status).toBe(401);
    } finally {
      child.kill("SIGINT");
    }
    expect(await exited).toBe(130);
    expect(stderr).toContain("Stopped; the vault is closed.");
    expect(noStack(stderr)).toBe(true);
    expect(stdout.includes(VALUE) || stderr.includes(VALUE)).toBe(false);
    const loaded = readFileSync(modules, "utf8").split("\n").filter(Boolean);
    rmSync(modules);
    // The recorder sees the screen's modules when `ui` runs (the check below means something).
    expect(loaded.some((m) => UI_MODULES.test(m))).toBe(true);
  });

  it("other commands load neither the screen nor the browser opener", async () => {
    for (const args of [
      ["--help"],
      ["secret", "list"],
      ["read", "api-key", "--url", "https://api.example.com"],
    ]) {
      const file = join(v.home, "modules.txt");
      const r = await cli(args, {
        env: { ...v.env, RECORD_MODULES_FILE: file },
        nodeArgs: ["--import", join(FIXTURES, "record-modules.mjs")],
      });
      expect(r.code, r.stderr).toBe(0);
      const loaded = readFileSync(file, "utf8").split("\n").filter(Boolean);
      rmSync(file);
      expect(loaded.length).toBeGreaterThan(0);
      expect(loaded.filter((m) => UI_MODULES.test(m))).toEqual([]);
    }
  });

  it("a bad --idle-minutes is a usage error before the vault is opened", async () => {
    for (const bad of ["0", "abc", "1441", "1.5"]) {
      const r = await v.run(["ui", "--no-open", "--idle-minutes", bad]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        /^error: --idle-minutes must be a whole number of minutes from 1 to 1440/,
      );
      expect(r.stdout).toBe("");
    }
  });

  it("a locked vault is refused with the usual message, and no server starts", async () => {
    const r = await cli(["ui", "--no-open"], {
      env: { ...v.env, VAULTLINK_VAULT_KEY: undefined },
    });
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/is locked/);
    expect(r.stdout).toBe("");
  });
});
