/**
 * The agent's lifecycle through the built CLI, with local secrets only: foreground `agent run`
 * and SIGTERM, a killed agent's stale socket, a stopped (SIGSTOP) agent, a wrong key, and a
 * change made by another command while the agent runs.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BIN, baseEnv, CLI_DIR, newVault, type TestVault } from "./helpers.js";

// These tests check the agent's files under the vault home, the layout used without
// XDG_RUNTIME_DIR (the test script sets one for the keyring); core's agent tests cover the
// XDG layout.
delete process.env.XDG_RUNTIME_DIR;

const VALUE = "agent-local-value-2b7e41";

describe("vaultlink agent lifecycle (built CLI, local secrets)", () => {
  let v: TestVault | undefined;
  const pids: number[] = [];
  afterEach(async () => {
    for (const pid of pids.splice(0)) {
      try {
        process.kill(pid, "SIGCONT");
        process.kill(pid, "SIGKILL");
      } catch {}
    }
    v?.cleanup();
    v = undefined;
  });

  const agentDir = () => join((v as TestVault).home, "agent");
  const infoPid = () =>
    (JSON.parse(readFileSync(join(agentDir(), "agent.json"), "utf8")) as { pid: number }).pid;
  const keyless = (args: string[]) =>
    (v as TestVault).run(args, { env: { VAULTLINK_VAULT_KEY: undefined } });

  async function withSecret(): Promise<TestVault> {
    v = await newVault();
    const add = await v.run(["secret", "add", "api"], { input: VALUE });
    expect(add.code, add.stderr).toBe(0);
    return v;
  }

  async function started(): Promise<number> {
    const r = await (v as TestVault).run(["agent", "start", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const pid = (JSON.parse(r.stdout) as { pid: number }).pid;
    pids.push(pid);
    return pid;
  }

  it("agent run in the foreground serves until SIGTERM, then removes its socket and exits 0", async () => {
    const t = await withSecret();
    const child = spawn(process.execPath, [BIN, "agent", "run"], {
      env: baseEnv(t.env),
      cwd: CLI_DIR,
      stdio: ["ignore", "pipe", "pipe"],
    });
    pids.push(child.pid as number);
    let stderr = "";
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    const exit = new Promise<number | null>((r) => child.on("close", (c) => r(c)));
    // Ready once it says where it serves (no fixed wait).
    await new Promise<void>((resolve, reject) => {
      const check = () => (/serving .* on /.test(stderr) ? resolve() : undefined);
      child.stderr.on("data", check);
      child.on("close", () => reject(new Error(`agent run exited early: ${stderr}`)));
    });
    const r = await keyless(["read", "api"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${VALUE}\n`);
    child.kill("SIGTERM");
    expect(await exit).toBe(0);
    expect(stderr).toMatch(/stopping \(SIGTERM\)/);
    expect(existsSync(join(agentDir(), "agent.sock"))).toBe(false);
    expect(existsSync(join(agentDir(), "agent.json"))).toBe(false);
    expect(stderr).not.toContain(VALUE);
    expect(stderr).not.toContain(t.key);
  });

  it("a killed agent (kill -9) leaves a stale socket: status says so, reads fall back, start cleans up", async () => {
    await withSecret();
    const pid = await started();
    process.kill(pid, "SIGKILL");
    // The files stay behind (nothing ran on the way out).
    expect(existsSync(join(agentDir(), "agent.sock"))).toBe(true);
    const status = await keyless(["agent", "status"]);
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(/not running \(stale socket/);
    // Without an agent, read works in-process with the key, as always.
    const read = await (v as TestVault).run(["read", "api"]);
    expect(read.code, read.stderr).toBe(0);
    expect(read.stdout).toBe(`${VALUE}\n`);
    const again = await started();
    expect(again).not.toBe(pid);
    expect(infoPid()).toBe(again);
    const viaAgent = await keyless(["read", "api"]);
    expect(viaAgent.stdout).toBe(`${VALUE}\n`);
    expect((await (v as TestVault).run(["agent", "stop"])).code).toBe(0);
  });

  it("two agent starts racing over a killed agent's stale socket: one agent runs, both say which", async () => {
    await withSecret();
    process.kill(await started(), "SIGKILL");
    const logFile = join(agentDir(), "agent.log");
    const logFrom = readFileSync(logFile).length;
    const [a, b] = await Promise.all([
      (v as TestVault).run(["agent", "start", "--json"]),
      (v as TestVault).run(["agent", "start", "--json"]),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const ra = JSON.parse(a.stdout) as { started: boolean; pid: number };
    const rb = JSON.parse(b.stdout) as { started: boolean; pid: number };
    pids.push(ra.pid);
    expect(ra.pid).toBe(rb.pid);
    expect([ra.started, rb.started].filter(Boolean)).toHaveLength(1);
    expect(infoPid()).toBe(ra.pid);
    // The loser's agent process found the winner under the start lock and ended.
    const log = readFileSync(logFile).subarray(logFrom).toString("utf8");
    expect(log.match(/: serving /g)).toHaveLength(1);
    expect((await keyless(["read", "api"])).stdout).toBe(`${VALUE}\n`);
  });

  it("kill -9 of the agent during a burst of reads: each read answers or fails clearly, none hangs", async () => {
    await withSecret();
    const pid = await started();
    const burst = Promise.all(Array.from({ length: 20 }, () => keyless(["read", "api"])));
    process.kill(pid, "SIGKILL");
    for (const r of await burst) {
      if (r.code === 0) {
        expect(r.stdout).toBe(`${VALUE}\n`);
        continue;
      }
      // The agent gone mid-request ("the connection ended", exit 1), or before the read
      // found it (no key here: the vault is locked, exit 6). Never a stack trace.
      expect([1, 6]).toContain(r.code);
      expect(r.stderr).toMatch(
        /^error: (The connection to the vaultlink agent ended|The vault .* is locked)/,
      );
      expect(r.stderr).not.toMatch(/^\s{4}at /m);
      expect(r.stdout).toBe("");
    }
  });

  it("agent stop with only stale files removes them and says the agent was not running", async () => {
    await withSecret();
    const pid = await started();
    process.kill(pid, "SIGKILL");
    const r = await (v as TestVault).run(["agent", "stop", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ stopped: false, running: false, removedStale: true });
    expect(existsSync(join(agentDir(), "agent.sock"))).toBe(false);
  });

  it("a stopped (SIGSTOP) agent: status reports it not answering, and a read gives up, instead of hanging", async () => {
    await withSecret();
    const pid = await started();
    process.kill(pid, "SIGSTOP");
    const r = await keyless(["agent", "status", "--json"]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ running: false, state: "unresponsive" });
    const start = await (v as TestVault).run(["agent", "start"]);
    expect(start.code).toBe(1);
    expect(start.stderr).toMatch(new RegExp(`does not answer \\(pid ${pid}\\)`));
    expect(start.stderr).toMatch(/hint: .*kill -CONT/);
    // A read gives up once the agent has missed its keep-alives (15 s), instead of waiting out
    // the 11-minute resolve limit.
    const read = await keyless(["read", "api"]);
    expect(read.code).toBe(1);
    expect(read.stdout).toBe("");
    expect(read.stderr).toMatch(
      new RegExp(
        `^error: The vaultlink agent \\(pid ${pid}\\) has sent nothing for \\d+ s; it may be stopped`,
      ),
    );
    expect(read.stderr).toMatch(/hint: .*kill -CONT/);
    process.kill(pid, "SIGCONT");
    expect((await (v as TestVault).run(["agent", "stop"])).code).toBe(0);
  }, 60_000);

  it("agent start with a wrong key fails before starting anything; nothing is left behind", async () => {
    await withSecret();
    const r = await (v as TestVault).run(["agent", "start"], {
      env: { VAULTLINK_VAULT_KEY: `vlk_${"A".repeat(43)}` },
    });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^error: /);
    expect(r.stderr).not.toMatch(/^\s{4}at /m);
    expect(existsSync(join(agentDir(), "agent.sock"))).toBe(false);
  });

  it("a secret changed by another command while the agent runs is read anew", async () => {
    const t = await withSecret();
    await started();
    expect((await keyless(["read", "api"])).stdout).toBe(`${VALUE}\n`);
    const set = await t.run(["secret", "edit", "api"], { input: "changed-value-8d1c" });
    expect(set.code, set.stderr).toBe(0);
    expect((await keyless(["read", "api"])).stdout).toBe("changed-value-8d1c\n");
    const missing = await keyless(["read", "nope"]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/^error: \{\{vault:nope\}\} is unresolved \(missing\)/);
    const json = await keyless(["read", "nope", "--json"]);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: "UNRESOLVED" } });
    expect((await t.run(["agent", "stop"])).code).toBe(0);
  });
});
