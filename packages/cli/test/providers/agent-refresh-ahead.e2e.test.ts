/**
 * Refresh-ahead in the running agent (decision 0021), through the built CLI and the AWS
 * emulator: a value whose cache time ends in a few seconds, read through the agent (so it is
 * hot), is fetched again by the agent's timer before it ends, with no read asking for it; the
 * read after the old cache time is answered from the cache with no request in its path. The
 * near-expiry entry is prepared by fetching once through core with a clock set back almost a
 * cache time. Asserted on the emulator's request count and the reads' `source`, never on time.
 */
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

  it("fetched again in the background; the read after the old cache time makes no request", async () => {
    // The cached value ends LEFT_MS from now: fetched "60 minutes minus LEFT_MS ago".
    const shift = 60 * MIN - LEFT_MS;
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
    const oldExpiry = Date.now() + LEFT_MS;
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
});
