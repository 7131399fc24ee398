import { afterEach, describe, expect, it } from "vitest";
import { createEventBus } from "../../src/index.js";
import { fakeProvider, makeVault, type TestVault } from "../helpers/fake-provider.js";

describe("events", () => {
  let t: TestVault;
  afterEach(async () => t?.cleanup());

  it("no payload of a full create/update/rename/link/resolve/delete cycle contains the value", async () => {
    const secretValue = "sv-7f3a9c1e-very-secret";
    const linkedValue = "lv-2b8d4e6f-also-secret";
    const fake = fakeProvider();
    fake.values.set("fake://x", linkedValue);
    t = await makeVault({ providers: [fake.provider] });
    const seen: Array<[string, unknown]> = [];
    t.vault.events.onAny((type, payload) => seen.push([type, payload]));
    await t.vault.secrets.add("api", { value: secretValue });
    await t.vault.secrets.update("api", {
      value: `${secretValue}-2`,
      allowedDomains: ["a.example.com"],
    });
    await t.vault.secrets.rename("api", "api2");
    await t.vault.resolve("api2", { url: "https://a.example.com" });
    await t.vault.integrations.connect({
      provider: "fake",
      options: { token: "credential-token-xyz" },
    });
    await t.vault.links.link("lnk", { integration: "fake", reference: "fake://x" });
    await t.vault.resolve("lnk");
    await t.vault.resolve("lnk");
    await t.vault.cache.reset();
    await t.vault.links.unlink("lnk");
    await t.vault.integrations.disconnect("fake");
    await t.vault.secrets.delete("api2");
    const types = new Set(seen.map(([type]) => type));
    for (const expected of [
      "SecretCreated",
      "SecretUpdated",
      "SecretRenamed",
      "SecretResolved",
      "IntegrationConnected",
      "SecretLinked",
      "CacheReset",
      "SecretUnlinked",
      "IntegrationDisconnected",
      "SecretDeleted",
    ]) {
      expect(types.has(expected)).toBe(true);
    }
    const all = JSON.stringify(seen);
    expect(all).not.toContain(secretValue);
    expect(all).not.toContain(linkedValue);
    expect(all).not.toContain("credential-token-xyz");
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
});
