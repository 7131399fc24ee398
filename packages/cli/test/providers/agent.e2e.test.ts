/**
 * `vaultlink agent` end to end: the built CLI, a started agent, and AWS Secrets Manager (moto
 * behind our fault layer, which counts requests and injects faults). Reads run without a vault
 * key in their environment. A value past its cache time is prepared by fetching it once through
 * core with a clock two hours back (the real provider SDK, against the emulator).
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { createVault as coreVault } from "@vaultlink/core";
import { type AwsEmulator, REQUEST_PLACEHOLDER, startAwsEmulator } from "@vaultlink/emulators";
import aws from "@vaultlink/provider-aws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keylessRunner, stopAgentAndCleanup } from "./agent-helpers.js";
import {
  createVault,
  describeRun,
  type E2eVault,
  EXIT,
  hasStackTrace,
  leaksAny,
  type RunResult,
  runCli,
} from "./helpers.js";

// These tests check the agent's files under the vault home, the layout used without
// XDG_RUNTIME_DIR (the test script sets one for the keyring); core's agent tests cover the
// XDG layout.
delete process.env.XDG_RUNTIME_DIR;

const VALUE = "agent-e2e-db-password-5c1f9e";
const HOUR = 3_600_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("vaultlink agent through the built CLI and the AWS emulator", () => {
  let emu: AwsEmulator;
  let v: E2eVault;
  let creds: { accessKeyId: string; secretAccessKey: string };
  const secrets = () => [VALUE, v.key, creds.secretAccessKey];
  const d = (r: RunResult) => describeRun(r, secrets());
  const runs: RunResult[] = [];
  /** A run with no vault key in its environment (only the vault home). */
  const keyless = keylessRunner(() => v, runs);

  /** Put the linked value in the cache as fetched two hours ago (expired an hour ago). */
  async function cacheExpiredValue(): Promise<void> {
    const past = { now: () => Date.now() - 2 * HOUR };
    const vault = coreVault({ home: v.home, providers: [aws], keySources: [], clock: past });
    await vault.unlock(v.key);
    try {
      await vault.cache.reset();
      const r = await vault.resolve("db");
      expect(r.ok && r.source).toBe("provider");
    } finally {
      await vault.dispose();
    }
  }

  beforeAll(async () => {
    emu = await startAwsEmulator({ verifySignatures: true });
    await emu.seed([{ name: "agent/db", value: VALUE }]);
    creds = emu.issueCredentials();
    v = await createVault();
    const c = await v.run(
      [
        "integration",
        "connect",
        "aws",
        "--method",
        "access-key",
        "--region",
        emu.region,
        "--endpoint",
        emu.url,
        "--secrets-stdin",
      ],
      { input: JSON.stringify(creds) },
    );
    expect(c.code, d(c)).toBe(EXIT.ok);
    const l = await v.run(["secret", "link", "db", "aws", "agent/db"]);
    expect(l.code, d(l)).toBe(EXIT.ok);
    const s = await v.run(["settings", "set", "stale-if-error", "120"]);
    expect(s.code, d(s)).toBe(EXIT.ok);
  }, 180_000);

  afterAll(async () => {
    await stopAgentAndCleanup(v);
    await emu?.stop();
  }, 60_000);

  it("without an agent, a read needs the vault key (behaves as before)", async () => {
    const status = await keyless(["agent", "status"]);
    expect(status.code, d(status)).toBe(EXIT.other);
    expect(status.stdout).toMatch(/running: +no/);
    const r = await keyless(["read", "db"]);
    expect(r.code, d(r)).toBe(EXIT.vault);
  });

  it("agent start unlocks, answers status; its socket and info are 0600 in a 0700 directory", async () => {
    const r = await v.run(["agent", "start", "--json"]);
    expect(r.code, d(r)).toBe(EXIT.ok);
    const started = JSON.parse(r.stdout) as { started: boolean; pid: number; socket: string };
    expect(started.started).toBe(true);
    expect(started.socket).toBe(join(v.home, "agent", "agent.sock"));
    expect(statSync(join(v.home, "agent")).mode & 0o777).toBe(0o700);
    expect(statSync(started.socket).mode & 0o777).toBe(0o600);
    expect(statSync(join(v.home, "agent", "agent.json")).mode & 0o777).toBe(0o600);
    const s = await keyless(["agent", "status", "--json"]);
    expect(s.code, d(s)).toBe(EXIT.ok);
    expect(JSON.parse(s.stdout)).toMatchObject({ running: true, pid: started.pid, unlocked: true });
  });

  it("a second agent start says where the first one runs", async () => {
    const first = JSON.parse((await keyless(["agent", "status", "--json"])).stdout) as {
      pid: number;
    };
    const r = await v.run(["agent", "start"]);
    expect(r.code, d(r)).toBe(EXIT.ok);
    expect(r.stderr).toContain(`already runs for ${v.home}: pid ${first.pid}, socket `);
    const run = await v.run(["agent", "run"]);
    expect(run.code, d(run)).toBe(EXIT.other);
    expect(run.stderr).toMatch(new RegExp(`^error: An agent already runs .*pid ${first.pid}`));
  });

  it("20 concurrent reads (no vault key) of one expired secret make exactly 1 provider request", async () => {
    await v.run(["agent", "stop"]);
    await cacheExpiredValue();
    expect((await v.run(["agent", "start"])).code).toBe(EXIT.ok);
    const before = emu.requests.count();
    const burst = await Promise.all(Array.from({ length: 20 }, () => keyless(["read", "db"])));
    for (const r of burst) {
      expect(r.code, d(r)).toBe(EXIT.ok);
      expect(r.stdout === `${VALUE}\n`, "read printed the value").toBe(true);
    }
    expect(emu.requests.count() - before).toBe(1);
  }, 120_000);

  it("resolve and run use the agent too, with no vault key in their environment", async () => {
    const r = await keyless(["resolve", "pw={{vault:db}}"]);
    expect(r.code, d(r)).toBe(EXIT.ok);
    expect(r.stdout === `pw=${VALUE}`, "resolve printed the value").toBe(true);
    const run = await runCli(
      [
        "run",
        "--",
        process.execPath,
        "-e",
        "process.stdout.write(String(process.env.PW === process.argv[1]) + ' ' + String(process.env.VAULTLINK_VAULT_KEY))",
        VALUE,
      ],
      { env: { VAULTLINK_HOME: v.home, VAULTLINK_VAULT_KEY: undefined, PW: "{{vault:db}}" } },
    );
    expect(run.code, d(run)).toBe(EXIT.ok);
    expect(run.stdout).toBe("true undefined");
  });

  async function expiredThenFault(fault: Parameters<AwsEmulator["inject"]>[0]) {
    await v.run(["agent", "stop"]);
    await cacheExpiredValue();
    expect((await v.run(["agent", "start"])).code).toBe(EXIT.ok);
    emu.inject(fault);
  }

  it("stale-if-error: a 503 outage serves the expired value, marked stale in --json and cache status", async () => {
    await expiredThenFault({
      error: {
        status: 503,
        headers: {
          "x-amzn-errortype": "ServiceUnavailableException",
          "content-type": "application/x-amz-json-1.1",
        },
        body: { __type: "ServiceUnavailableException", message: "Service unavailable" },
      },
    });
    try {
      const r = await keyless(["read", "db", "--json"]);
      expect(r.code, d(r)).toBe(EXIT.ok);
      expect(JSON.parse(r.stdout)).toEqual({
        name: "db",
        value: VALUE,
        source: "cache",
        stale: true,
      });
      const status = await v.run(["cache", "status", "--json"]);
      const entry = (JSON.parse(status.stdout) as { entries: Array<Record<string, unknown>> })
        .entries[0];
      expect(entry).toMatchObject({ expired: true, servedStaleAt: expect.any(String) });
      expect(entry?.staleIfErrorForMs).toBeGreaterThan(0);
      const human = await v.run(["cache", "status"]);
      expect(human.stdout).toContain("(served stale)");
    } finally {
      emu.clearFaults();
    }
  }, 120_000);

  it("stale-if-error: a provider slower than timeoutSeconds serves the expired value", async () => {
    const c = await v.run(["integration", "configure", "aws", "--timeoutSeconds", "1"]);
    expect(c.code, d(c)).toBe(EXIT.ok);
    await expiredThenFault({ latencyMs: 600_000 });
    try {
      const r = await keyless(["read", "db", "--json"]);
      expect(r.code, d(r)).toBe(EXIT.ok);
      expect(JSON.parse(r.stdout)).toMatchObject({ value: VALUE, stale: true });
    } finally {
      emu.clearFaults();
    }
  }, 120_000);

  it("an AWS error that echoes the request (credentials, signature) reaches no output of the agent's clients", async () => {
    await expiredThenFault({
      error: {
        status: 400,
        headers: {
          "x-amzn-errortype": "InvalidRequestException",
          "content-type": "application/x-amz-json-1.1",
        },
        body: { __type: "InvalidRequestException", message: `rejected: ${REQUEST_PLACEHOLDER}` },
        echoRequest: true,
      },
    });
    try {
      const reads = [
        await keyless(["read", "db", "--json"]),
        await keyless(["read", "db"]),
        await keyless(["resolve", "pw={{vault:db}}"]),
      ];
      for (const r of reads) {
        expect(r.code, d(r)).toBe(EXIT.unresolved);
        expect(r.stdout.includes(VALUE)).toBe(false);
        expect(hasStackTrace(r.stderr)).toBe(false);
      }
      // The echo did reach the CLI (so the check below means something), without its secrets.
      expect(reads[1]?.stderr).toContain("rejected: POST /");
      const texts = reads.flatMap((r) => [r.stdout, r.stderr]);
      const status = await keyless(["agent", "status", "--json"]);
      texts.push(
        status.stdout,
        status.stderr,
        readFileSync(join(v.home, "agent", "agent.log"), "utf8"),
      );
      expect(
        leaksAny(texts, [...secrets(), creds.accessKeyId]),
        "an echoed credential leaked",
      ).toBe(false);
    } finally {
      emu.clearFaults();
    }
  }, 120_000);

  it("agent stop while 20 reads wait for AWS: the reads in flight are answered, none hangs", async () => {
    // AWS answers after 3 s, within the deadline (the test above set 1 s).
    const c = await v.run(["integration", "configure", "aws", "--timeoutSeconds", "30"]);
    expect(c.code, d(c)).toBe(EXIT.ok);
    await expiredThenFault({ latencyMs: 3_000, times: 1 });
    const before = emu.requests.count("GetSecretValue");
    const burst = Promise.all(Array.from({ length: 20 }, () => keyless(["read", "db"])));
    // The agent's one request for them is held at AWS: reads are in flight.
    while (emu.requests.count("GetSecretValue") === before) await sleep(50);
    const stop = await v.run(["agent", "stop"]);
    expect(stop.code, d(stop)).toBe(EXIT.ok);
    const reads = await burst;
    let answered = 0;
    for (const r of reads) {
      expect(hasStackTrace(r.stderr), d(r)).toBe(false);
      if (r.code === EXIT.ok) {
        expect(r.stdout === `${VALUE}\n`, "read printed the value").toBe(true);
        answered++;
      } else {
        // Started after the agent had gone: no key here, so the vault is locked (clearly said).
        expect(r.code, d(r)).toBe(EXIT.vault);
        expect(r.stderr).toMatch(/^error: The vault .* is locked/);
      }
    }
    expect(answered, "the reads in flight when stop came were answered").toBeGreaterThan(0);
    expect(emu.requests.count("GetSecretValue") - before).toBe(1);
    expect((await v.run(["agent", "start"])).code).toBe(EXIT.ok);
  }, 120_000);

  it("stale-if-error never covers a 403 (access denied): the read fails", async () => {
    await expiredThenFault({ error: "AccessDeniedException" });
    try {
      const r = await keyless(["read", "db"]);
      expect(r.code, d(r)).toBe(EXIT.unresolved);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(/^error: .*unresolved/);
    } finally {
      emu.clearFaults();
    }
  }, 120_000);

  it("stale-if-error never covers a 401 (credentials rejected): the read says sign in again", async () => {
    await expiredThenFault({
      error: {
        status: 401,
        headers: {
          "x-amzn-errortype": "UnrecognizedClientException",
          "content-type": "application/x-amz-json-1.1",
        },
        body: {
          __type: "UnrecognizedClientException",
          message: "The security token included in the request is invalid.",
        },
      },
    });
    try {
      const r = await keyless(["read", "db"]);
      expect(r.code, d(r)).toBe(EXIT.auth);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(/vaultlink integration reauth aws/);
    } finally {
      emu.clearFaults();
    }
  }, 120_000);

  it("a secret disabled or deleted, or the integration disconnected, by another command is refused by the agent at once", async () => {
    expect((await keyless(["agent", "status"])).code).toBe(EXIT.ok);
    // Signed in again (the test above expired the sign-in); a value cached in the agent's
    // memory; then changes made by other commands.
    const reauth = await v.run(["integration", "reauth", "aws", "--secrets-stdin"], {
      input: JSON.stringify(creds),
    });
    expect(reauth.code, d(reauth)).toBe(EXIT.ok);
    expect((await v.run(["secret", "link", "db2", "aws", "agent/db"])).code).toBe(EXIT.ok);
    const warm = await keyless(["read", "db2"]);
    expect(warm.code, d(warm)).toBe(EXIT.ok);
    expect((await v.run(["secret", "disable", "db2"])).code).toBe(EXIT.ok);
    const disabled = await keyless(["read", "db2"]);
    expect(disabled.code, d(disabled)).toBe(EXIT.unresolved);
    expect(disabled.stderr).toContain("disabled");
    expect((await v.run(["secret", "enable", "db2"])).code).toBe(EXIT.ok);
    expect((await keyless(["read", "db2"])).code).toBe(EXIT.ok);
    expect((await v.run(["integration", "disconnect", "aws"])).code).toBe(EXIT.ok);
    const gone = await keyless(["read", "db2", "--json"]);
    expect(gone.code, d(gone)).not.toBe(EXIT.ok);
    expect(gone.stdout.includes(VALUE)).toBe(false);
    expect(gone.stderr).toContain("not connected");
    expect((await v.run(["secret", "delete", "db2", "--yes"])).code).toBe(EXIT.ok);
    const deleted = await keyless(["read", "db2"]);
    expect(deleted.code, d(deleted)).toBe(EXIT.unresolved);
    expect(deleted.stdout).toBe("");
  }, 120_000);

  it("agent stop removes the socket and info file; reads work in-process again (with the key)", async () => {
    const r = await v.run(["agent", "stop"]);
    expect(r.code, d(r)).toBe(EXIT.ok);
    expect(r.stderr).toMatch(/^Stopped the agent \(pid \d+\)/);
    expect(existsSync(join(v.home, "agent", "agent.sock"))).toBe(false);
    expect(existsSync(join(v.home, "agent", "agent.json"))).toBe(false);
    const again = await v.run(["agent", "stop"]);
    expect(again.code, d(again)).toBe(EXIT.ok);
    expect(again.stderr).toContain("not running");
    const keyed = await v.run(["read", "nope"]);
    expect(keyed.code).toBe(EXIT.unresolved);
  });

  it("the agent's log and every output hold no value or credential", () => {
    const log = readFileSync(join(v.home, "agent", "agent.log"), "utf8");
    expect(leaksAny([log], secrets()), "the agent's log holds a secret").toBe(false);
    expect(log).toMatch(/serving .* on .*agent\.sock/);
    // `vault create` prints the vault key once, by design; `read` and `resolve` print values.
    const nonRead = [...runs, ...v.runs].filter(
      (r) => !["read", "resolve", "vault"].includes(r.args[0] ?? ""),
    );
    expect(
      leaksAny(
        nonRead.map((r) => r.stdout),
        secrets(),
      ),
    ).toBe(false);
    expect(
      leaksAny(
        [...runs, ...v.runs].map((r) => r.stderr),
        secrets(),
      ),
    ).toBe(false);
  });
});
