import { describe, expect, it } from "vitest";
import { mergeSettings, pickAuthMethod } from "../../src/index.js";
import { defineProvider } from "../../src/plugin/index.js";
import { fakeProvider } from "../helpers/fake-provider.js";

describe("mergeSettings: reconfiguring with only the options that change", () => {
  const { provider } = fakeProvider();
  const token = pickAuthMethod(provider, "token");

  it("keeps the current settings and applies the changes, coerced by their specs", () => {
    const current = { address: "https://a.example", timeout: 30, region: "eu" };
    expect(mergeSettings(provider, token, current, { timeout: "12" })).toEqual({
      address: "https://a.example",
      timeout: 12,
      region: "eu",
    });
    // The input is not changed.
    expect(current.timeout).toBe(30);
  });

  it("refuses an unknown option, a malformed value and a secret one, naming it", () => {
    expect(() => mergeSettings(provider, token, {}, { colour: "red" })).toThrowError(
      /has no option "colour"/,
    );
    expect(() => mergeSettings(provider, token, {}, { timeout: "soon" })).toThrowError(
      /"timeout" of Fake must be a number, not "soon"/,
    );
    expect(() =>
      mergeSettings(provider, token, {}, { token: "tok-should-not-appear" }),
    ).toThrowError(/"token" of Fake is secret: it is given when signing in/);
  });

  it("a required setting must be in the result: given now, or already set", () => {
    const strict = defineProvider({
      ...provider,
      settings: [{ name: "address", title: "Address", type: "string", required: true }],
    });
    const method = pickAuthMethod(strict, "token");
    expect(() => mergeSettings(strict, method, {}, { region: "us" })).toThrowError(
      /needs "address" \(Address\)/,
    );
    expect(mergeSettings(strict, method, { address: "https://b" }, { region: "us" })).toEqual({
      address: "https://b",
      region: "us",
    });
    expect(() =>
      mergeSettings(strict, method, { address: "https://b" }, { address: "" }),
    ).toThrowError(/needs "address"/);
  });
});
