import { afterEach, describe, expect, it } from "vitest";
import {
  addSecrets,
  connectedVault,
  openAs,
  TestClock,
  type TestVault,
} from "../helpers/fake-provider.js";

describe("vault.providersNeeded: which plugins resolving these names would call", () => {
  let t: TestVault;
  afterEach(async () => t?.cleanup());

  it("names the provider of a linked secret until its value is cached, and again once it expires", async () => {
    const clock = new TestClock();
    const c = await connectedVault({ values: { "fake://stripe": "sk_one" }, clock });
    t = c;
    await t.vault.links.link("stripe", { integration: "fake", reference: "fake://stripe" });
    await addSecrets(t.vault, { local: { value: "plain" } });
    expect(await t.vault.providersNeeded(["stripe", "local", "missing"])).toEqual(["fake"]);
    await t.vault.resolve("stripe");
    expect(await t.vault.providersNeeded(["stripe", "local"])).toEqual([]);
    // A fresh process on the same files sees the cached value too (the cache is loaded first).
    const other = await openAs(t, { providers: [c.fake.provider], clock });
    await other.unlock(t.vaultKey);
    expect(await other.providersNeeded(["stripe"])).toEqual([]);
    clock.advance(61 * 60_000);
    expect(await other.providersNeeded(["stripe"])).toEqual(["fake"]);
    await other.dispose();
  });

  it("with caching off every linked secret needs its provider; a disabled one needs none", async () => {
    const c = await connectedVault({ values: { "fake://a": "1", "fake://b": "2" } });
    t = c;
    await t.vault.links.link("a", { integration: "fake", reference: "fake://a" });
    await t.vault.links.link("b", { integration: "fake", reference: "fake://b" });
    await t.vault.resolveMany(["a", "b"]);
    await t.vault.secrets.update("b", { enabled: false });
    await t.vault.settings.set("cache-ttl", 0);
    expect(await t.vault.providersNeeded(["a", "b", "a"])).toEqual(["fake"]);
    await t.vault.lock();
    expect(await t.vault.providersNeeded(["a"])).toEqual([]);
  });
});
