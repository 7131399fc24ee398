import { afterEach, describe, expect, it } from "vitest";
import { createEventBus, type VaultEventName } from "../../src/index.js";
import { fakeProvider, makeVault, TestClock, type TestVault } from "../helpers/fake-provider.js";

describe("events", () => {
  let t: TestVault;
  afterEach(async () => t?.cleanup());

  it("every event fires in a full cycle, and no payload contains a value or a credential", async () => {
    const secretValue = "sv-7f3a9c1e-very-secret";
    const linkedValue = "lv-2b8d4e6f-also-secret";
    const refetchedValue = "lv-9c0a1b2d-rotated";
    const clock = new TestClock();
    const fake = fakeProvider({ now: clock.now });
    fake.values.set("fake://x", linkedValue);
    t = await makeVault({ providers: [fake.provider], clock });
    const seen: Array<[string, unknown]> = [];
    t.vault.events.onAny((type, payload) => seen.push([type, payload]));

    await t.vault.secrets.add("api", { value: secretValue });
    await t.vault.secrets.update("api", {
      value: `${secretValue}-2`,
      allowedDomains: ["a.example.com"],
    });
    await t.vault.secrets.rename("api", "api2");
    await t.vault.resolve("api2", { url: "https://a.example.com" });
    await t.vault.resolve("api2", { url: "https://b.example.com" }); // unresolved
    await t.vault.settings.set("cache-ttl", 30);
    await t.vault.integrations.connect({
      provider: "fake",
      options: { token: "credential-token-xyz" },
    });
    await t.vault.links.link("lnk", { integration: "fake", reference: "fake://x" });
    await t.vault.resolve("lnk"); // from the provider
    await t.vault.resolve("lnk"); // from the cache
    clock.advance(31 * 60_000);
    fake.values.set("fake://x", refetchedValue);
    await t.vault.resolve("lnk"); // expired entry met, refetched
    await t.vault.refreshAhead(); // starts recording reads
    await t.vault.resolve("lnk"); // from the cache: hot
    clock.advance(29.5 * 60_000); // inside the last minute of its cache time
    await t.vault.refreshAhead(); // fetched again ahead of expiry
    await t.vault.settings.set("stale-if-error", 10);
    clock.advance(31 * 60_000);
    fake.failWith = { code: "UNREACHABLE" };
    await t.vault.resolve("lnk"); // expired, provider down: served stale
    fake.failWith = undefined;
    await t.vault.cache.reset();
    fake.failWith = { code: "AUTH_EXPIRED" };
    await t.vault.resolve("lnk");
    fake.failWith = undefined;
    await t.vault.integrations.reauthenticate("fake", { options: { token: "credential-token-2" } });
    await t.vault.resolve("lnk");
    await t.vault.links.unlink("lnk");
    await t.vault.links.link("lnk2", { integration: "fake", reference: "fake://x" });
    await t.vault.resolve("lnk2");
    await t.vault.integrations.disconnect("fake");
    await t.vault.secrets.delete("api2");
    await t.vault.reset({ confirm: true });

    // Typed against the event map: a new event fails to compile until it is listed here.
    const everyEvent: Record<Exclude<VaultEventName, "HandlerError">, true> = {
      SecretCreated: true,
      SecretUpdated: true,
      SecretRenamed: true,
      SecretDeleted: true,
      SecretLinked: true,
      SecretUnlinked: true,
      SecretResolved: true,
      SecretUnresolved: true,
      CacheExpired: true,
      StaleValueServed: true,
      ValueRefreshedAhead: true,
      CacheReset: true,
      CachePurged: true,
      AuthExpired: true,
      IntegrationConnected: true,
      IntegrationReauthenticated: true,
      IntegrationDisconnected: true,
      SettingsChanged: true,
      VaultReset: true,
    };
    const types = new Set(seen.map(([type]) => type));
    expect([...types].sort()).toEqual(Object.keys(everyEvent).sort());
    const all = JSON.stringify(seen);
    for (const value of [
      secretValue,
      linkedValue,
      refetchedValue,
      "credential-token-xyz",
      "credential-token-2",
    ]) {
      expect(all).not.toContain(value);
    }
  });

  it("a throwing handler does not stop the others", () => {
    const bus = createEventBus();
    const calls: string[] = [];
    const errors: string[] = [];
    bus.on("HandlerError", (e) => errors.push(e.message));
    bus.on("SecretDeleted", () => {
      throw new Error("boom");
    });
    bus.on("SecretDeleted", (e) => calls.push(e.name));
    bus.onAny((type) => calls.push(`any:${type}`));
    bus.emit("SecretDeleted", { name: "x" });
    expect(calls).toContain("x");
    expect(calls).toContain("any:SecretDeleted");
    expect(errors).toEqual(["boom"]);
  });

  it("off() removes the handler for that event only, when one handler listens to two events", () => {
    const bus = createEventBus();
    const seen: string[] = [];
    const handler = (e: { name: string }) => seen.push(e.name);
    bus.on("SecretDeleted", handler);
    bus.on("SecretCreated", handler);
    bus.off("SecretDeleted", handler);
    bus.emit("SecretDeleted", { name: "deleted" });
    bus.emit("SecretCreated", { name: "created", linked: false });
    expect(seen).toEqual(["created"]);
    expect(bus.has("SecretDeleted")).toBe(false);
    bus.off("SecretCreated", handler);
    bus.emit("SecretCreated", { name: "again", linked: false });
    expect(seen).toEqual(["created"]);
    expect(bus.has("SecretCreated")).toBe(false);
  });

  it("off() and the returned unsubscribe each remove one registration", () => {
    const bus = createEventBus();
    let count = 0;
    const handler = () => {
      count += 1;
    };
    const first = bus.on("SecretDeleted", handler);
    bus.on("SecretDeleted", handler);
    first();
    first(); // a second call removes nothing more
    bus.emit("SecretDeleted", { name: "x" });
    expect(count).toBe(1);
    bus.off("SecretDeleted", handler);
    bus.emit("SecretDeleted", { name: "x" });
    expect(count).toBe(1);
    bus.off("SecretDeleted", handler); // nothing left: no error
    expect(bus.has("SecretDeleted")).toBe(false);
  });
});
