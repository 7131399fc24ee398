import { describe, expect, it } from "vitest";
import { decodeJoinCode, encodeJoinCode, joinFileObject } from "../../src/index.js";

const info = {
  provider: "hashicorp",
  setup: {
    authMethod: "oidc-provider",
    settings: {
      address: "https://vault.example.com:8200",
      namespace: "admin/team-a",
      clientId: "Xy12",
      role: "postman",
    },
  },
};

describe("join codes", () => {
  it("round-trips through the code and through a join file's JSON", () => {
    const code = encodeJoinCode(info);
    expect(code).toMatch(/^vlj1\.[A-Za-z0-9_-]+$/);
    expect(decodeJoinCode(code)).toEqual(info);
    expect(decodeJoinCode(JSON.stringify(joinFileObject(info), null, 2))).toEqual(info);
    // Pasted with surrounding whitespace or a trailing newline.
    expect(decodeJoinCode(`  ${code}\n`)).toEqual(info);
  });

  it("never carries anything named like a credential, whatever it is handed", () => {
    const code = encodeJoinCode({
      provider: "hashicorp",
      setup: {
        authMethod: "token",
        settings: { address: "https://v", token: "hvs.leak", clientSecret: "s", password: "p" },
      },
    });
    const decoded = decodeJoinCode(code);
    expect(decoded.setup.settings).toEqual({ address: "https://v" });
    expect(Buffer.from(code.slice(5), "base64url").toString()).not.toContain("hvs.leak");
    // A hand-made file with such keys gets them dropped on the way in too.
    const file = JSON.stringify({
      vaultlinkJoin: 1,
      provider: "hashicorp",
      authMethod: "token",
      settings: { address: "https://v", token: "hvs.x" },
    });
    expect(decodeJoinCode(file).setup.settings).toEqual({ address: "https://v" });
  });

  it.each([
    ["", "neither starts"],
    ["vlj1.***", "characters a join code never has"],
    [`vlj1.${Buffer.from("not json").toString("base64url")}`, "not valid JSON"],
    [`vlj1.${Buffer.from('{"vaultlinkJoin":2}').toString("base64url")}`, "version 1"],
    ['{"vaultlinkJoin":1,"provider":"Bad Id","authMethod":"x","settings":{}}', "names no provider"],
    ['{"vaultlinkJoin":1,"provider":"hashicorp","settings":{}}', "names no auth method"],
    [
      '{"vaultlinkJoin":1,"provider":"hashicorp","authMethod":"x","settings":[]}',
      "must be an object",
    ],
    [`vlj1.${"A".repeat(5000)}`, "longer than"],
  ])("refuses %j with a reason and the next step", (text, why) => {
    let caught: unknown;
    try {
      decodeJoinCode(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: "INVALID_JOIN_CODE" });
    expect((caught as Error).message).toContain(why);
    expect((caught as { hint?: string }).hint).toContain("join code");
  });
});
