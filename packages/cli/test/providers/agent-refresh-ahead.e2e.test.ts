/**
 * Refresh-ahead in the running agent (decision 0021), through the built CLI and the AWS
 * emulator: a value whose cache time ends in a few seconds, read through the agent (so it is
 * hot), is fetched again by the agent's timer before it ends, with no read asking for it; the
 * read after the old cache time is answered from the cache with no request in its path. The
 * near-expiry entry is prepared by fetching once through core with a clock set back almost a
 * cache time. Asserted on the emulator's request count and the reads' `source`, never on time.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createVault as coreVault } from "@vaultlink/core";
import { type AwsEmulator, startAwsEmulator } from "@vaultlink/emulators";
import aws from "@vaultlink/provider-aws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keylessRunner, stopAgentAndCleanup } from "./agent-helpers.js";
import { createVault, describeRun, type E2eVault, EXIT, type RunResult } from "./helpers.js";

delete process.env.XDG_RUNTIME_DIR;

const VALUE = "refresh-ahead-e2e-value-7a21";
const MIN = 60_000;
/** How long the prepared entry has left when the agent starts. */
const LEFT_MS = 30_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("the agent refreshes a hot value before its cache time ends", () => {
  let emu: AwsEmulator;
  let v: E2eVault;
  const d = (r: RunResult) => describeRun(r, [VALUE, v.key]);
  const keyless = keylessRunner(() => v);
  const fetches = () =>
    emu.requests.count("GetSecretValue") + emu.requests.count("BatchGetSecretValue");

  beforeAll(async () => {
    emu = await startAwsEmulator();
    await emu.seed([{ name: "ahead/db", value: VALUE }]);
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
      { input: JSON.stringify(emu.issueCredentials()) },
    );
    expect(c.code, d(c)).toBe(EXIT.ok);
    expect((await v.run(["secret", "link", "db", "aws", "ahead/db"])).code).toBe(EXIT.ok);
    expect((await v.run(["settings", "set", "cache-ttl", "60"])).code).toBe(EXIT.ok);
  }, 180_000);

  afterAll(async () => {
    await stopAgentAndCleanup(v);
    await emu?.stop();
  }, 60_000);

  /** Cache the value as fetched long enough ago that it ends `leftMs` from now; returns then. */
  async function cacheEndingIn(leftMs: number): Promise<number> {
    const shift = 60 * MIN - leftMs;
    const vault = coreVault({
      home: v.home,
      providers: [aws],
      keySources: [],
      clock: { now: () => Date.now() - shift },
    });
    await vault.unlock(v.key);
    try {
      await vault.cache.reset();
      expect(await vault.resolve("db")).toMatchObject({ ok: true, source: "provider" });
    } finally {
      await vault.dispose();
    }
    return Date.now() + leftMs;
  }

  it("fetched again in the background; the read after the old cache time makes no request", async () => {
    // The cached value ends LEFT_MS from now: fetched "60 minutes minus LEFT_MS ago".
    const oldExpiry = await cacheEndingIn(LEFT_MS);
    const started = await v.run(["agent", "start"]);
    expect(started.code, d(started)).toBe(EXIT.ok);

    // Read through the agent (hot) until its timer has fetched the value again. Every read is
    // answered from the cache; none of them fetches.
    const before = fetches();
    while (fetches() === before && Date.now() < oldExpiry - 3_000) {
      const r = await keyless(["read", "db", "--json"]);
      expect(r.code, d(r)).toBe(EXIT.ok);
      expect(JSON.parse(r.stdout)).toMatchObject({ source: "cache" });
      await sleep(500);
    }
    expect(fetches(), "the agent fetched the hot value ahead of its expiry").toBe(before + 1);

    // Past the old cache time: still from the cache, and no request in the read's path.
    while (Date.now() <= oldExpiry + 1_000) await sleep(250);
    const after = await keyless(["read", "db", "--json"]);
    expect(after.code, d(after)).toBe(EXIT.ok);
    const parsed = JSON.parse(after.stdout) as { source: string; value: string };
    expect(parsed.source).toBe("cache");
    expect(parsed.value === VALUE, "the value read is the linked secret").toBe(true);
    expect(fetches()).toBe(before + 1);
  }, 120_000);

  it("a refresh that hangs at AWS blocks no one: status answers, and the read after expiry joins it and is served stale", async () => {
    await v.run(["agent", "stop"]);
    expect((await v.run(["settings", "set", "stale-if-error", "10"])).code).toBe(EXIT.ok);
    // Inside the refresh-ahead window from the start (the last minute of 60).
    const expiry = await cacheEndingIn(8_000);
    expect((await v.run(["agent", "start"])).code).toBe(EXIT.ok);
    const hot = await keyless(["read", "db", "--json"]);
    expect(JSON.parse(hot.stdout)).toMatchObject({ source: "cache" });
    const before = fetches();
    emu.inject({ latencyMs: 600_000 });
    try {
      // The agent's refresh is at AWS and held there (core's deadline is 30 s).
      while (fetches() === before) await sleep(100);
      const status = await keyless(["agent", "status", "--json"]);
      expect(status.code, d(status)).toBe(EXIT.ok);
      const cached = await keyless(["read", "db", "--json"]);
      expect(cached.code, d(cached)).toBe(EXIT.ok);
      expect(JSON.parse(cached.stdout)).toMatchObject({ source: "cache" });
      expect(cached.stdout.includes('"stale"')).toBe(false);
      // Past the cache time, while the refresh still hangs: the read joins it and, when it
      // fails at the deadline (an outage), gets the value stale.
      while (Date.now() <= expiry + 500) await sleep(250);
      const stale = await keyless(["read", "db", "--json"], {}, 60_000);
      expect(stale.code, d(stale)).toBe(EXIT.ok);
      expect(JSON.parse(stale.stdout)).toMatchObject({ source: "cache", stale: true });
      expect(fetches(), "the read joined the refresh in flight").toBe(before + 1);
      const log = readFileSync(join(v.home, "agent", "agent.log"), "utf8");
      expect(log.includes(VALUE) || log.includes(v.key)).toBe(false);
    } finally {
      emu.clearFaults();
    }
  }, 120_000);
});
