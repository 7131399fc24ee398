import { afterEach, describe, expect, it } from "vitest";
import { connectedVault, type TestVault } from "../helpers/fake-provider.js";

describe("concurrent misses", () => {
  let t: TestVault;
  afterEach(async () => t?.cleanup());

  it("1,000 concurrent resolves of one uncached linked secret make exactly one provider fetch", async () => {
    const c = await connectedVault({ values: { "fake://hot": "hot-value" } });
    t = c;
    const { fake } = c;
    fake.latencyMs = 20;
    await t.vault.links.link("hot", { integration: "fake", reference: "fake://hot" });
    const results = await Promise.all(Array.from({ length: 1000 }, () => t.vault.resolve("hot")));
    expect(results.every((r) => r.ok && r.value === "hot-value")).toBe(true);
    expect(fake.calls.fetch).toBe(1);
    expect(fake.calls.requests[0]).toHaveLength(1);
  });

  it("concurrent resolves of 100 different secrets reach the provider as one batch", async () => {
    const c = await connectedVault();
    t = c;
    const { fake } = c;
    for (let i = 0; i < 100; i++) {
      fake.values.set(`fake://s${i}`, `v${i}`);
      await t.vault.links.link(`s${i}`, { integration: "fake", reference: `fake://s${i}` });
    }
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => t.vault.resolve(`s${i}`)),
    );
    expect(results.map((r) => r.ok && r.value)).toEqual(
      Array.from({ length: 100 }, (_, i) => `v${i}`),
    );
    expect(fake.calls.fetch).toBe(1);
    expect(fake.calls.requests[0]).toHaveLength(100);
  });
});
