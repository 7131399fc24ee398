import { isVaultlinkError } from "@vaultlink/core/plugin";
import { describe, expect, it } from "vitest";
import hashicorp from "../src/index.js";
import { formatReference, parseReference } from "../src/reference.js";

describe("references", () => {
  it("takes the engine from the first segment", () => {
    expect(parseReference("secret/app/db#password")).toEqual({
      canonical: "secret/app/db#password",
      mount: "secret",
      path: "app/db",
      key: "password",
    });
  });

  it("takes an explicit engine with slashes before ::", () => {
    const ref = parseReference("team/kv::app/db#password");
    expect(ref).toMatchObject({ mount: "team/kv", path: "app/db", key: "password" });
    expect(ref.canonical).toBe("team/kv::app/db#password");
  });

  it("writes a one-segment explicit engine in the short form", () => {
    expect(parseReference("secret::app/db#password").canonical).toBe("secret/app/db#password");
  });

  it("reads ?version=N before the key and normalises it", () => {
    expect(parseReference("secret/app/db?version=007#password")).toMatchObject({
      canonical: "secret/app/db?version=7#password",
      version: "7",
    });
  });

  it("keeps everything after the first # as the key", () => {
    expect(parseReference("secret/app/db#a#b c").key).toBe("a#b c");
  });

  it("trims slashes and surrounding spaces", () => {
    expect(parseReference("  /secret/app/db/#password ").canonical).toBe("secret/app/db#password");
  });

  it.each([
    ["secret/app/db", /key is missing/],
    ["secret#password", /names only an engine/],
    ["secret/app/db#password?version=2", /before "#"/],
    ["secret/app/db?version=x#password", /\?version=N/],
    ["secret/../db#password", /contains "\.\."/],
    ["team/kv::#password", /secret path is empty/],
  ])("rejects %s with a message saying why", (input, why) => {
    try {
      parseReference(input);
      expect.unreachable();
    } catch (error) {
      expect(isVaultlinkError(error) && error.code).toBe("INVALID_REFERENCE");
      expect((error as Error).message).toMatch(why);
      expect(isVaultlinkError(error) && error.hint).toMatch(/secret\/app\/db#password/);
    }
  });

  it("formats what it parses", () => {
    const ref = { mount: "a/b", path: "c", key: "k", version: "3" };
    expect(parseReference(formatReference(ref))).toMatchObject(ref);
  });
});

describe("the parseVersion hook", () => {
  it.each(["abc", "-3", "0", "", " ", "1.5", "01x"])("refuses %j", (input) => {
    expect(() => hashicorp.parseVersion?.(input)).toThrow(
      expect.objectContaining({ code: "INVALID_REFERENCE" }),
    );
  });

  it("accepts whole numbers from 1, trimmed", () => {
    expect(hashicorp.parseVersion?.(" 3 ")).toBe("3");
    expect(hashicorp.parseVersion?.("12")).toBe("12");
  });
});
