import { afterEach, describe, expect, it } from "vitest";
import { defineProvider, validateProvider } from "../../src/plugin/index.js";
import { fakeProvider, makeVault, type TestVault } from "../helpers/fake-provider.js";

describe("plugin loading", () => {
  it("accepts a provider made with defineProvider, also as a module namespace", () => {
    const { provider } = fakeProvider();
    expect(validateProvider(provider, "x").id).toBe("fake");
    expect(validateProvider({ default: provider }, "x").id).toBe("fake");
  });

  it("refuses another apiVersion, naming the plugin, its version and the supported range", () => {
    const { provider } = fakeProvider();
    const future = { ...provider, apiVersion: 2 };
    expect(() => validateProvider(future, "./future.js")).toThrowError(
      /@test\/fake-provider@1\.0\.0 targets plugin API version 2; this vaultlink supports 1/,
    );
    try {
      validateProvider(future, "./future.js");
    } catch (e) {
      expect((e as { code: string }).code).toBe("PLUGIN_INCOMPATIBLE");
    }
  });

  it("refuses objects without the brand, meta or functions", () => {
    expect(() => validateProvider({ id: "x" }, "./x.js")).toThrowError(/not a vaultlink provider/);
    expect(() => validateProvider(42, "./x.js")).toThrowError(/does not export a provider/);
    const { provider } = fakeProvider();
    const broken = defineProvider({
      ...provider,
      meta: undefined as never,
      create: undefined as never,
    });
    expect(() => validateProvider(broken, "./b.js")).toThrowError(
      /meta \{name, version\} is missing; .*create is not a function/,
    );
  });

  it("refuses capability flags that are not true or false", () => {
    const { provider } = fakeProvider();
    const odd = defineProvider({
      ...provider,
      capabilities: { batch: "yes", versions: true, jsonKey: 1 } as never,
    });
    expect(() => validateProvider(odd, "./odd.js")).toThrowError(
      /capabilities\.batch must be true or false; capabilities\.jsonKey must be true or false when given/,
    );
  });
});

describe("the jsonKey capability", () => {
  let t: TestVault | undefined;
  afterEach(async () => t?.cleanup());

  it("a provider whose values hold no JSON refuses a JSON key when linking, and nothing is saved", async () => {
    const fake = fakeProvider();
    fake.values.set("fake://plain", "plain-value");
    const plain = defineProvider({
      ...fake.provider,
      capabilities: { ...fake.provider.capabilities, jsonKey: false },
    });
    t = await makeVault({ providers: [plain] });
    await t.vault.integrations.connect({ provider: "fake", options: { token: "t" } });
    const refused = await t.vault.links
      .link("p", { integration: "fake", reference: "fake://plain", jsonKey: "k" })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({
      code: "INVALID_INPUT",
      message: "Fake values hold no JSON keys.",
      hint: "Link without --json-key.",
    });
    expect(await t.vault.secrets.has("p")).toBe(false);
    await t.vault.links.link("p", { integration: "fake", reference: "fake://plain" });
    expect(await t.vault.resolve("p")).toMatchObject({ ok: true, value: "plain-value" });
  });
});
