/**
 * Refresh-ahead (decision 0021) against the AWS emulator, core on a fake clock: a hot value is fetched again shortly before its cache time
 * ends, so the read after that time is answered from the cache with no request to Vault in its
 * path; a value nobody read since its fetch is left to expire; a refresh that fails (AWS
 * answers 500) keeps the cached value and is tried again. Hostile providers: a refresh that
 * hangs past the deadline does not keep a read that joins it from stale-if-error; a throttling
 * AWS is asked again with growing pauses, and not at all once the value has expired (the next
 * read fetches it). Everything is asserted on the emulator's request counts and core's events,
 * never on elapsed time.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createVault, memoryCachePersistence, type Vault, type VaultEvents } from "@vaultlink/core";
import { FakeClock } from "@vaultlink/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { awsProvider, emulatorSettings, useAwsEmulator } from "./support/aws.js";

const MIN = 60_000;
const VALUE = "refresh-ahead-db-password-51c3";

const { emulator } = useAwsEmulator(async (started) => {
  await started.seed([{ name: "refresh/db", value: VALUE }]);
});

describe("refresh-ahead of hot values (long-lived hosts)", () => {
  const rig = { clock: new FakeClock(Date.UTC(2025, 0, 1)) };
  let home: string;
  let vault: Vault;
  let events: Array<[keyof VaultEvents, unknown]>;
  /** Every request the emulator saw (reads, batches, STS): any of them would be in the path. */
  const reads = () => emulator().requests.count();
  const seen = (type: keyof VaultEvents) => events.filter(([t]) => t === type).length;

  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), "vaultlink-refresh-ahead-"));
    vault = createVault({
      home,
      providers: [awsProvider],
      pluginOptions: { aws: { maxAttempts: 1 } },
      clock: rig.clock,
      keySources: [],
      cachePersistence: () => memoryCachePersistence(),
    });
    await vault.create();
    await vault.settings.set("cache-ttl", 10);
    await vault.integrations.connect({
      provider: "aws",
      method: "access-key",
      options: { ...emulatorSettings(emulator()), ...emulator().issueCredentials() },
    });
    await vault.links.link("db", { integration: "aws", reference: "refresh/db" });
    events = [];
    vault.events.onAny((type, payload) => events.push([type, payload]));
  });

  afterEach(async () => {
    await vault?.dispose();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it("fetches a hot value again in its last minute; the read after its cache time makes no request", async () => {
    expect(await vault.resolve("db")).toMatchObject({ ok: true, source: "provider" });
    expect(await vault.refreshAhead()).toEqual({ refreshed: 0, failed: 0 }); // starts recording
    rig.clock.advance(2 * MIN);
    expect(await vault.resolve("db")).toMatchObject({ ok: true, source: "cache" }); // hot now
    const before = reads();

    rig.clock.advance(6 * MIN); // 8 min: not due yet (due at 9 min)
    const early = await vault.refreshAhead();
    expect(early).toMatchObject({ refreshed: 0, failed: 0 });
    expect(early.nextAt).toBe(rig.clock.now() + MIN);
    expect(reads()).toBe(before);

    rig.clock.advance(1.5 * MIN); // 9.5 min: inside the last minute
    expect(await vault.refreshAhead()).toMatchObject({ refreshed: 1, failed: 0 });
    expect(reads()).toBe(before + 1);
    expect(seen("ValueRefreshedAhead")).toBe(1);

    rig.clock.advance(1 * MIN); // 10.5 min: the first fetch's cache time is over
    const r = await vault.resolve("db");
    expect(r).toMatchObject({ ok: true, source: "cache" });
    expect(r.ok && r.value === VALUE).toBe(true);
    expect(reads()).toBe(before + 1); // no request in the read's path
    expect(seen("CacheExpired")).toBe(0);
  });

  it("a value not read since its fetch is left to expire (no request for it)", async () => {
    await vault.refreshAhead();
    await vault.resolve("db"); // fetched, never read from the cache afterwards
    const before = reads();
    rig.clock.advance(9.5 * MIN);
    expect(await vault.refreshAhead()).toEqual({ refreshed: 0, failed: 0 });
    expect(reads()).toBe(before);
    rig.clock.advance(1 * MIN);
    expect(await vault.resolve("db")).toMatchObject({ ok: true, source: "provider" });
    expect(seen("CacheExpired")).toBe(1);
  });

  it("a refresh AWS fails (500) keeps the cached value and is tried again after 5 s", async () => {
    await vault.refreshAhead();
    await vault.resolve("db");
    rig.clock.advance(1 * MIN);
    await vault.resolve("db"); // hot
    rig.clock.advance(8.5 * MIN);
    emulator().inject({ error: "InternalServiceError", times: 1 });
    const failed = await vault.refreshAhead();
    expect(failed).toMatchObject({ refreshed: 0, failed: 1, nextAt: rig.clock.now() + 5_000 });
    expect(await vault.resolve("db")).toMatchObject({ ok: true, source: "cache" });
    expect((await vault.integrations.status("aws")).status).toBe("connected");
    const before = reads();
    expect(await vault.refreshAhead()).toMatchObject({ refreshed: 0 }); // too soon
    expect(reads()).toBe(before);
    rig.clock.advance(5_000);
    expect(await vault.refreshAhead()).toMatchObject({ refreshed: 1, failed: 0 });
    expect(reads()).toBe(before + 1);
  });

  /** Fetched, then read from the cache (hot), then the clock in the last minute of 10. */
  async function hotAndDue(): Promise<void> {
    await vault.refreshAhead();
    await vault.resolve("db");
    rig.clock.advance(1 * MIN);
    await vault.resolve("db");
    rig.clock.advance(8.5 * MIN);
  }

  it("a read that meets the expired value while a refresh hangs joins it and is served stale", async () => {
    await vault.settings.set("stale-if-error", 10);
    await vault.integrations.configure("aws", { timeoutSeconds: 1 });
    await hotAndDue();
    const before = reads();
    emulator().inject({ latencyMs: 600_000 });
    const refreshing = vault.refreshAhead();
    // The refresh's request is at AWS (and held there) before the value's cache time ends.
    while (reads() === before) await new Promise((r) => setTimeout(r, 20));
    rig.clock.advance(1 * MIN);
    const r = await vault.resolve("db");
    expect(r).toMatchObject({ ok: true, source: "cache", stale: true });
    expect(r.ok && r.value === VALUE).toBe(true);
    expect(await refreshing).toMatchObject({ refreshed: 0, failed: 1 });
    expect(reads(), "the read joined the refresh in flight").toBe(before + 1);
    expect(seen("StaleValueServed")).toBe(1);
    expect(seen("ValueRefreshedAhead")).toBe(0);
  });

  it("a throttling AWS is asked again after 5 s, then 10 s; never after the value expired", async () => {
    await vault.settings.set("stale-if-error", 10);
    await hotAndDue();
    emulator().inject({ error: "ThrottlingException" });
    const before = reads();
    const first = await vault.refreshAhead();
    expect(first).toMatchObject({ refreshed: 0, failed: 1, nextAt: rig.clock.now() + 5_000 });
    rig.clock.advance(5_000);
    const second = await vault.refreshAhead();
    expect(second).toMatchObject({ failed: 1, nextAt: rig.clock.now() + 10_000 });
    rig.clock.advance(5_000);
    expect(await vault.refreshAhead()).toMatchObject({ refreshed: 0, failed: 0 }); // backing off
    expect(reads()).toBe(before + 2);
    // Still inside its cache time: the cached value is served; throttling is no sign-in problem.
    expect(await vault.resolve("db")).toMatchObject({ ok: true, source: "cache" });
    expect((await vault.integrations.status("aws")).status).toBe("connected");

    rig.clock.advance(1 * MIN); // expired: refresh-ahead leaves it to the next read
    expect(await vault.refreshAhead()).toEqual({ refreshed: 0, failed: 0 });
    rig.clock.advance(1 * MIN);
    expect(await vault.refreshAhead()).toEqual({ refreshed: 0, failed: 0 });
    expect(reads(), "no request once the value expired").toBe(before + 2);
    const stale = await vault.resolve("db");
    expect(stale).toMatchObject({ ok: true, source: "cache", stale: true });
    expect(reads()).toBe(before + 3);
    expect(seen("AuthExpired")).toBe(0);
    const text = JSON.stringify(events);
    expect(text.includes(VALUE), "no value in any event").toBe(false);
  });
});
