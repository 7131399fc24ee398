import { afterEach, describe, expect, it } from "vitest";
import { isUrlAllowed } from "../../src/index.js";
import { connectedVault, makeVault, type TestVault } from "../helpers/fake-provider.js";

describe("APIs for hosts that run requests (the Newman runner)", () => {
  let t: TestVault;
  afterEach(async () => t?.cleanup());

  it("resolveForMatching gives values with their allowed domains, and reasons for the rest", async () => {
    t = await makeVault();
    await t.vault.secrets.add("open", { value: "v-open" });
    await t.vault.secrets.add("scoped", { value: "v-scoped", allowedDomains: ["api.example.com"] });
    await t.vault.secrets.add("off", { value: "v-off", enabled: false });
    const [open, scoped, off, missing] = await t.vault.resolveForMatching([
      "open",
      "scoped",
      "off",
      "nope",
    ]);
    expect(open).toMatchObject({ ok: true, value: "v-open", allowedDomains: [] });
    expect(scoped).toMatchObject({
      ok: true,
      value: "v-scoped",
      allowedDomains: ["api.example.com"],
    });
    // The host decides per request, with core's matching.
    expect(isUrlAllowed(scoped?.allowedDomains ?? [], "https://api.example.com/x")).toBe(true);
    expect(isUrlAllowed(scoped?.allowedDomains ?? [], "https://evil.example.net/x")).toBe(false);
    expect(off).toMatchObject({ ok: false, reason: "disabled" });
    expect(missing).toMatchObject({ ok: false, reason: "missing" });
  });

  it("resolveForMatching fetches a linked secret once for repeated names", async () => {
    const c = await connectedVault({ values: { "fake://ref-1": "linked-value" } });
    t = c;
    await c.vault.links.link("lnk", { integration: "fake", reference: "fake://ref-1" });
    const results = await c.vault.resolveForMatching(["lnk", "lnk"]);
    expect(results.map((r) => r.ok && r.value)).toEqual(["linked-value", "linked-value"]);
    expect(c.fake.calls.fetch).toBe(1);
  });

  it("apply writes a batch of sets and unsets in one write, or nothing", async () => {
    const c = await connectedVault({ values: { "fake://ref-1": "linked-value" } });
    t = c;
    await c.vault.links.link("lnk", { integration: "fake", reference: "fake://ref-1" });
    await c.vault.secrets.add("a", { value: "1" });
    await c.vault.secrets.add("gone", { value: "2" });
    const changed = await c.vault.secrets.apply([
      { name: "a", value: "1b" },
      { name: "fresh", value: "3" },
      { name: "gone", unset: true },
      { name: "never-there", unset: true },
    ]);
    expect(changed.sort()).toEqual(["a", "fresh", "gone"]);
    expect((await c.vault.resolve("a")).ok && (await c.vault.resolve("a"))).toMatchObject({
      value: "1b",
    });
    expect(await c.vault.resolve("fresh")).toMatchObject({ ok: true, value: "3" });
    expect(await c.vault.secrets.has("gone")).toBe(false);
    // A linked secret cannot be set: the whole batch is refused, the earlier change included.
    await expect(
      c.vault.secrets.apply([
        { name: "a", value: "1c" },
        { name: "lnk", value: "x" },
      ]),
    ).rejects.toMatchObject({ code: "INVALID_INPUT" });
    expect(await c.vault.resolve("a")).toMatchObject({ ok: true, value: "1b" });
    await expect(c.vault.secrets.apply([{ name: "bad name", value: "x" }])).rejects.toMatchObject({
      code: "INVALID_NAME",
    });
  });
});
