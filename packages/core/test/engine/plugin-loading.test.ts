import { describe, expect, it } from "vitest";
import { defineProvider, validateProvider } from "../../src/plugin/index.js";
import { fakeProvider } from "../helpers/fake-provider.js";

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
});
