import { afterEach, describe, expect, it } from "vitest";
import type { VaultEvents } from "../../src/index.js";
import { connectedVault, TestClock, type TestVault } from "../helpers/fake-provider.js";

type Failure = NonNullable<Awaited<ReturnType<typeof connectedVault>>["fake"]["failWith"]>;

describe("stale-if-error (fake clock)", () => {
  let t: TestVault;
  afterEach(async () => t?.cleanup());

  /** A linked value fetched once (60-minute cache time), then 61 minutes later. */
  async function expiredValue(staleMinutes: number | undefined) {
    const clock = new TestClock();
    const c = await connectedVault({ values: { "fake://db": "db-pass-one" }, clock });
    t = c;
    await t.vault.links.link("db", { integration: "fake", reference: "fake://db" });
    if (staleMinutes !== undefined) await t.vault.settings.set("stale-if-error", staleMinutes);
    expect(await t.vault.resolve("db")).toMatchObject({ ok: true, source: "provider" });
    clock.advance(61 * 60_000);
    const events: Array<[keyof VaultEvents, unknown]> = [];
    t.vault.events.onAny((type, payload) => events.push([type, payload]));
    return { clock, fake: c.fake, events };
  }

  const outages: Array<[string, Failure]> = [
    ["unreachable (a timeout or a refused connection)", { code: "UNREACHABLE" }],
    ["throttled", { code: "THROTTLED" }],
    ["a 503 reported as PROVIDER_ERROR", { code: "PROVIDER_ERROR", details: { httpStatus: 503 } }],
    ["a 500 reported with details.status", { code: "PROVIDER_ERROR", details: { status: 500 } }],
  ];
  for (const [what, failure] of outages) {
    it(`serves the expired value, marked stale, when the provider is ${what}`, async () => {
      const { fake, events } = await expiredValue(15);
      fake.failWith = failure;
      const r = await t.vault.resolve("db");
      expect(r).toEqual({
        ok: true,
        name: "db",
        value: "db-pass-one",
        source: "cache",
        stale: true,
      });
      const served = events.filter(([type]) => type === "StaleValueServed");
      expect(served).toHaveLength(1);
      expect(served[0]?.[1]).toEqual({
        integration: "fake",
        reference: "fake://db",
        ageMs: 61 * 60_000,
        staleForMs: 60_000,
        code: failure.code,
      });
      // No value in any event payload.
      expect(JSON.stringify(events)).not.toContain("db-pass-one");
    });
  }

  const refusals: Array<[string, Failure]> = [
    ["auth expired (401)", { code: "AUTH_EXPIRED" }],
    ["permission denied (403)", { code: "PERMISSION_DENIED" }],
    ["not found", { code: "NOT_FOUND" }],
    ["a 400 reported as PROVIDER_ERROR", { code: "PROVIDER_ERROR", details: { httpStatus: 400 } }],
    ["a PROVIDER_ERROR without a status", { code: "PROVIDER_ERROR" }],
  ];
  for (const [what, failure] of refusals) {
    it(`never serves a stale value when the provider says ${what}`, async () => {
      const { fake, events } = await expiredValue(15);
      fake.failWith = failure;
      const r = await t.vault.resolve("db");
      expect(r.ok).toBe(false);
      expect(events.some(([type]) => type === "StaleValueServed")).toBe(false);
    });
  }

  it("is off by default: an outage leaves the expired value unresolved", async () => {
    const { fake } = await expiredValue(undefined);
    fake.failWith = { code: "UNREACHABLE" };
    expect(await t.vault.resolve("db")).toMatchObject({ ok: false, reason: "provider-error" });
    expect((await t.vault.settings.get()).staleIfErrorMinutes ?? 0).toBe(0);
  });

  it("serves nothing once the window after the cache time has passed", async () => {
    const { clock, fake } = await expiredValue(15);
    clock.advance(15 * 60_000); // 16 minutes past the cache time
    fake.failWith = { code: "UNREACHABLE" };
    expect(await t.vault.resolve("db")).toMatchObject({ ok: false, reason: "provider-error" });
  });

  it("a recovered provider replaces the stale value; cache status shows the window and the stale serve", async () => {
    const { fake } = await expiredValue(15);
    fake.failWith = { code: "UNREACHABLE" };
    await t.vault.resolve("db");
    const status = await t.vault.cache.status();
    expect(status.staleIfErrorMinutes).toBe(15);
    expect(status.entries[0]).toMatchObject({
      expired: true,
      staleIfErrorForMs: 14 * 60_000,
      servedStaleAt: expect.any(String),
    });
    fake.failWith = undefined;
    fake.values.set("fake://db", "db-pass-two");
    expect(await t.vault.resolve("db")).toEqual({
      ok: true,
      name: "db",
      value: "db-pass-two",
      source: "provider",
    });
    const after = await t.vault.cache.status();
    expect(after.entries[0]).toMatchObject({ expired: false });
    expect(after.entries[0]?.servedStaleAt).toBeUndefined();
    expect(after.entries[0]?.staleIfErrorForMs).toBeUndefined();
  });

  it("template resolution serves the stale value too", async () => {
    const { fake } = await expiredValue(5);
    fake.failWith = { code: "THROTTLED" };
    const r = await t.vault.resolveTemplate("pw={{vault:db}}");
    expect(r.text).toBe("pw=db-pass-one");
    expect(r.unresolved).toEqual([]);
  });

  it("refuses out-of-range settings with the range in the message, changing nothing", async () => {
    await expiredValue(10);
    for (const bad of ["-1", "1.5", "abc", "1441"]) {
      await expect(t.vault.settings.set("stale-if-error", bad)).rejects.toMatchObject({
        code: "INVALID_SETTING",
      });
    }
    expect((await t.vault.settings.get()).staleIfErrorMinutes).toBe(10);
  });
});
