import { afterEach, describe, expect, it } from "vitest";
import { checkAllowedDomains, checkDomainEntry, splitDomainList } from "../../src/index.js";
import { makeVault, type TestVault } from "../helpers/fake-provider.js";

// [typed, canonical form stored]
const accepted: Array<[string, string]> = [
  ["api.example.com", "api.example.com"],
  ["  API.Example.COM  ", "api.example.com"],
  ["api.example.com.", "api.example.com"],
  ["*.example.com", "*.example.com"],
  ["*.example.co.uk", "*.example.co.uk"],
  ["http://api.example.com", "http://api.example.com"],
  ["HTTPS://api.example.com", "https://api.example.com"],
  ["bücher.de", "xn--bcher-kva.de"],
  ["127.0.0.1", "127.0.0.1"],
  ["[::1]", "[::1]"],
  ["localhost", "localhost"],
  ["*.localhost", "*.localhost"],
  ["my_service.internal", "my_service.internal"],
];

// [typed, words the message must contain, the form the hint must offer]
const refused: Array<[string, string, string]> = [
  ["", "empty", "--clear"],
  ["   ", "empty", "--clear"],
  ["exa mple.com", "contains a space", "separated by commas"],
  [".example.com", "starts with a dot", "*.example.com"],
  ["example..com", "empty label", "Type example.com."],
  ["*.com", "public suffix com", "*.example.com"],
  ["*.co.uk", "public suffix co.uk", "*.example.co.uk"],
  ["*.github.io", "public suffix github.io", "*.example.github.io"],
  ["example.com:8443", "has a port", "Type example.com (https; add http:// to allow http)."],
  ["http://example.com:8080", "has a port", "Type http://example.com."],
  ["[::1]:8443", "has a port", "Type [::1]"],
  ["example.com/api", "has a path", "Type example.com."],
  ["https://api.example.com/v1/", "has a path", "Type https://api.example.com."],
  ["https://api.example.com/", "has a path", "Type https://api.example.com."],
  ["example.com?x=1", "has a path", "Type example.com."],
  ["user@example.com", "user name", "Type example.com."],
  ["ftp://example.com", "ftp://", "http://"],
  ["*", "every host", "--clear"],
  ["*.", "every host", "--clear"],
  ["a*b.com", 'not a leading "*."', "*.example.com"],
  ["*.*.example.com", 'not a leading "*."', "*.example.com"],
  ["*.127.0.0.1", "IP address", "Type 127.0.0.1."],
  ["exa$mple.com", "not a host name", "letters, digits"],
  ["-bad.example.com", "not a host name", "letters, digits"],
  [`${"a".repeat(64)}.com`, "not a host name", "letters, digits"],
  ["[zz]", "not a host name or IP address", "[::1]"],
  ["mailto:someone", "not a host or http(s):// URL", "*.example.com"],
  ["http://", "has no host", "http://api.example.com"],
  ["https://:443", "has no host", "http://api.example.com"],
];

describe("allowed domains as typed", () => {
  it.each(accepted)("accepts %j, stored as %j", async (typed, canonical) => {
    expect(await checkAllowedDomains([typed])).toEqual([canonical]);
  });

  it.each(refused)("refuses %j: %s", async (typed, words, form) => {
    const check = checkDomainEntry(typed);
    const error = await checkAllowedDomains([typed]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: "INVALID_INPUT" });
    const { message, hint } = error as { message: string; hint: string };
    expect(message).toContain(words);
    expect(hint).toContain(form);
    // The public-suffix rule needs the list; every other refusal is known synchronously.
    if (!words.startsWith("public suffix")) expect(check.ok).toBe(false);
  });

  it("keeps empty entries of a list so they are refused, not read as 'any domain'", async () => {
    expect(splitDomainList("")).toEqual([""]);
    expect(splitDomainList(",")).toEqual(["", ""]);
    expect(splitDomainList(" a.example.com , b.example.com")).toEqual([
      "a.example.com",
      "b.example.com",
    ]);
    await expect(checkAllowedDomains(splitDomainList(","))).rejects.toMatchObject({
      code: "INVALID_INPUT",
    });
    await expect(checkAllowedDomains(splitDomainList("a.example.com,"))).rejects.toMatchObject({
      code: "INVALID_INPUT",
    });
  });

  it("de-duplicates entries by their canonical form", async () => {
    expect(await checkAllowedDomains(["API.example.com", "api.example.com."])).toEqual([
      "api.example.com",
    ]);
  });

  it("keeps entries a secret already has, even in a form no longer accepted", async () => {
    expect(
      await checkAllowedDomains(["example.com:8443", "b.example.com"], {
        stored: ["example.com:8443"],
      }),
    ).toEqual(["example.com:8443", "b.example.com"]);
  });
});

describe("allowed domains through the vault", () => {
  let t: TestVault;
  afterEach(async () => t?.cleanup());

  it("refuses a bad entry without changing the secret", async () => {
    t = await makeVault();
    await t.vault.secrets.add("api", { value: "v", allowedDomains: ["api.example.com"] });
    for (const bad of [[""], ["", ""], ["*.com"], ["api.example.com:8443"]]) {
      await expect(t.vault.secrets.update("api", { allowedDomains: bad })).rejects.toMatchObject({
        code: "INVALID_INPUT",
      });
    }
    await expect(t.vault.secrets.add("new", { value: "v", allowedDomains: [""] })).rejects.toThrow(
      /empty/,
    );
    expect(await t.vault.secrets.has("new")).toBe(false);
    expect((await t.vault.secrets.get("api")).allowedDomains).toEqual(["api.example.com"]);
  });

  it("an http request refused by a scheme-less entry gets a fix that works", async () => {
    t = await makeVault();
    await t.vault.secrets.add("api", { value: "v", allowedDomains: ["api.example.com"] });
    const refusedHttp = await t.vault.resolve("api", { url: "http://api.example.com/x" });
    expect(refusedHttp).toMatchObject({ ok: false, reason: "domain-not-allowed" });
    const { message, fix } = refusedHttp as { message: string; fix: string };
    expect(message).toContain("allows https only");
    expect(fix).toContain("--add http://api.example.com");
    // Following the fix makes it resolve.
    await t.vault.secrets.update("api", {
      allowedDomains: ["api.example.com", "http://api.example.com"],
    });
    expect(await t.vault.resolve("api", { url: "http://api.example.com/x" })).toMatchObject({
      ok: true,
    });
    const refusedHttps = await t.vault.resolve("api", { url: "https://other.example.com" });
    expect((refusedHttps as { fix: string }).fix).toContain("--add other.example.com");
  });
});
