import { afterEach, describe, expect, it } from "vitest";
import type { VaultEvents } from "../../src/index.js";
import { connectedVault, openAs, TestClock, type TestVault } from "../helpers/fake-provider.js";

describe("linked values and the cache (fake clock)", () => {
  let t: TestVault;
  afterEach(async () => t?.cleanup());

  async function setup() {
    const clock = new TestClock();
    const c = await connectedVault({
      values: { "fake://stripe": "sk_live_one" },
      token: "tok-123",
      clock,
    });
    t = c;
    const { fake } = c;
    await t.vault.links.link("stripe-key", { integration: "fake", reference: "fake://stripe" });
    const events: Array<[keyof VaultEvents, unknown]> = [];
    t.vault.events.onAny((type, payload) => events.push([type, payload]));
    return { clock, fake, events };
  }

  it("serves a fresh value from the cache without calling the provider", async () => {
    const { fake } = await setup();
    const first = await t.vault.resolve("stripe-key");
    expect(first).toMatchObject({ ok: true, value: "sk_live_one", source: "provider" });
    const second = await t.vault.resolve("stripe-key");
    expect(second).toMatchObject({ ok: true, value: "sk_live_one", source: "cache" });
    expect(fake.calls.fetch).toBe(1);
  });

  it("emits CacheExpired when an expired entry is met, and refetches", async () => {
    const { clock, fake, events } = await setup();
    await t.vault.resolve("stripe-key");
    clock.advance(59 * 60_000);
    expect((await t.vault.resolve("stripe-key")).ok && fake.calls.fetch).toBe(1);
    clock.advance(2 * 60_000);
    fake.values.set("fake://stripe", "sk_live_two");
    const after = await t.vault.resolve("stripe-key");
    expect(after).toMatchObject({ ok: true, value: "sk_live_two", source: "provider" });
    expect(fake.calls.fetch).toBe(2);
    const expired = events.filter(([type]) => type === "CacheExpired");
    expect(expired).toHaveLength(1);
    expect(expired[0]?.[1]).toMatchObject({ integration: "fake", reference: "fake://stripe" });
  });

  it("a lower TTL applies at once to values already cached", async () => {
    const { clock, fake } = await setup();
    await t.vault.resolve("stripe-key"); // cached for 60 minutes
    clock.advance(3 * 60_000);
    await t.vault.settings.set("cache-ttl", 5);
    const status = await t.vault.cache.status();
    expect(status.ttlMinutes).toBe(5);
    // Fetched 3 minutes ago with a 5-minute cache time: 2 minutes left, not 57.
    expect(status.entries[0]).toMatchObject({ expiresInMs: 2 * 60_000, expired: false });
    expect(await t.vault.resolve("stripe-key")).toMatchObject({ source: "cache" });
    clock.advance(2 * 60_000 + 1);
    fake.values.set("fake://stripe", "sk_live_two");
    expect(await t.vault.resolve("stripe-key")).toMatchObject({
      value: "sk_live_two",
      source: "provider",
    });
    expect(fake.calls.fetch).toBe(2);
  });

  it("a lower TTL drops cached values already older than it", async () => {
    const { clock, fake } = await setup();
    await t.vault.resolve("stripe-key");
    clock.advance(20 * 60_000);
    await t.vault.settings.set("cache-ttl", 15);
    expect((await t.vault.cache.status()).entries).toHaveLength(0);
    expect(await t.vault.resolve("stripe-key")).toMatchObject({ source: "provider" });
    expect(fake.calls.fetch).toBe(2);
  });

  it("a higher TTL applies to values fetched after the change", async () => {
    const { clock, fake } = await setup();
    await t.vault.resolve("stripe-key"); // cached for 60 minutes
    await t.vault.settings.set("cache-ttl", 120);
    expect((await t.vault.cache.status()).entries[0]).toMatchObject({ expiresInMs: 60 * 60_000 });
    clock.advance(61 * 60_000);
    await t.vault.resolve("stripe-key"); // refetched, now cached for 120 minutes
    expect(fake.calls.fetch).toBe(2);
    clock.advance(119 * 60_000);
    expect(await t.vault.resolve("stripe-key")).toMatchObject({ source: "cache" });
    expect(fake.calls.fetch).toBe(2);
  });

  it("caches nothing with a TTL of 0, and setting it drops what was cached", async () => {
    const { fake } = await setup();
    await t.vault.resolve("stripe-key");
    expect((await t.vault.cache.status()).entries).toHaveLength(1);
    await t.vault.settings.set("cache-ttl", "0");
    expect((await t.vault.cache.status()).entries).toHaveLength(0);
    await t.vault.resolve("stripe-key");
    await t.vault.resolve("stripe-key");
    expect(fake.calls.fetch).toBe(3);
    expect((await t.vault.cache.status()).entries).toHaveLength(0);
  });

  it("reset clears every entry and emits CacheReset", async () => {
    const { fake, events } = await setup();
    await t.vault.resolve("stripe-key");
    expect((await t.vault.cache.status()).entries).toHaveLength(1);
    expect(await t.vault.cache.reset()).toEqual({ entries: 1 });
    expect(
      events.some(([type, p]) => type === "CacheReset" && (p as { entries: number }).entries === 1),
    ).toBe(true);
    await t.vault.resolve("stripe-key");
    expect(fake.calls.fetch).toBe(2);
  });

  it("keeps the cache encrypted on disk across vault instances", async () => {
    const { fake, clock } = await setup();
    await t.vault.resolve("stripe-key");
    const { readFileSync } = await import("node:fs");
    const raw = readFileSync(t.vault.paths.cacheFile);
    expect(raw.includes(Buffer.from("sk_live_one"))).toBe(false);
    // Same clock as the first instance: the entry's expiry is on that clock, not the wall's.
    const again = await openAs(t, { providers: [fake.provider], clock });
    expect(await again.resolve("stripe-key")).toMatchObject({ ok: true, source: "cache" });
    await again.dispose();
    expect(fake.calls.fetch).toBe(1);
  });

  it("status shows names, ages and expiry but never values", async () => {
    const { clock } = await setup();
    await t.vault.resolve("stripe-key");
    clock.advance(90_000);
    const status = await t.vault.cache.status();
    expect(status.ttlMinutes).toBe(60);
    expect(status.entries[0]).toMatchObject({
      names: ["stripe-key"],
      ageMs: 90_000,
      expired: false,
    });
    expect(JSON.stringify(status)).not.toContain("sk_live_one");
  });

  it("relinking drops the secret's cached value at once", async () => {
    const { fake } = await setup();
    fake.values.set("fake://other", "other-value");
    await t.vault.resolve("stripe-key");
    await t.vault.links.link("stripe-key", { integration: "fake", reference: "fake://other" });
    expect((await t.vault.cache.status()).entries).toHaveLength(0);
    expect(await t.vault.resolve("stripe-key")).toMatchObject({ ok: true, value: "other-value" });
  });

  it("keys the cache by JSON key and version as well as the reference", async () => {
    const { fake } = await setup();
    fake.values.set("fake://db", JSON.stringify({ user: "app", password: "pw-1" }));
    fake.values.set("fake://db@v1", JSON.stringify({ user: "app", password: "pw-0" }));
    await t.vault.links.link("db-user", {
      integration: "fake",
      reference: "fake://db",
      jsonKey: "user",
    });
    await t.vault.links.link("db-pass", {
      integration: "fake",
      reference: "fake://db",
      jsonKey: "password",
    });
    await t.vault.links.link("db-old", {
      integration: "fake",
      reference: "fake://db",
      jsonKey: "password",
      version: "v1",
    });
    const out = await t.vault.resolveMany(["db-user", "db-pass", "db-old"]);
    expect(out.map((r) => r.ok && r.value)).toEqual(["app", "pw-1", "pw-0"]);
    // One provider call for all three, and the unversioned read shared by two keys.
    expect(fake.calls.fetch).toBe(1);
    expect(fake.calls.requests[0]).toHaveLength(2);
  });

  it("never caches a value the provider marks as uncacheable (one-time codes)", async () => {
    const { fake } = await setup();
    fake.values.set("fake://otp-code", "123456");
    await t.vault.links.link("otp", { integration: "fake", reference: "fake://otp-code" });
    await t.vault.resolve("otp");
    await t.vault.resolve("otp");
    expect(fake.calls.fetch).toBe(2);
    expect((await t.vault.cache.status()).entries).toHaveLength(0);
  });
});
