import * as sdk from "@1password/sdk";
import { isVaultlinkError } from "@vaultlink/core/plugin";
import { describe, expect, it } from "vitest";
import provider, { comparisonKey, isOnePasswordId, parseReference } from "../src/index.js";

function rejection(input: string): { code: string; message: string; hint?: string } {
  try {
    parseReference(input);
  } catch (error) {
    if (!isVaultlinkError(error)) throw error;
    return {
      code: error.code,
      message: error.message,
      ...(error.hint ? { hint: error.hint } : {}),
    };
  }
  throw new Error(`"${input}" was accepted`);
}

/** The SDK's own offline validator (it throws a raw JSON string, not an Error). */
function sdkAccepts(reference: string): boolean {
  try {
    sdk.Secrets.validateSecretReference(reference);
    return true;
  } catch {
    return false;
  }
}

describe("op:// references", () => {
  it("splits vault, item, optional section and field", () => {
    expect(parseReference("op://Production/Database/password")).toEqual({
      canonical: "op://Production/Database/password",
      vault: "Production",
      item: "Database",
      field: "password",
    });
    expect(parseReference("op://Dev Vault/Stripe/API Keys/secret key")).toEqual({
      canonical: "op://Dev Vault/Stripe/API Keys/secret key",
      vault: "Dev Vault",
      item: "Stripe",
      section: "API Keys",
      field: "secret key",
    });
  });

  it("keeps the names as written and compares them without regard to case", () => {
    const upper = parseReference("op://Production/Database/Password");
    const lower = parseReference("op://production/database/password");
    expect(upper.canonical).toBe("op://Production/Database/Password");
    expect(upper.canonical).not.toBe(lower.canonical);
    expect(comparisonKey(upper)).toBe(comparisonKey(lower));
  });

  it("reads the query attributes 1Password defines, written one way", () => {
    expect(parseReference("op://v/GitHub/otp?attribute=otp")).toMatchObject({
      canonical: "op://v/GitHub/otp?attribute=otp",
      attribute: "otp",
    });
    expect(parseReference("op://v/GitHub/otp?attribute=totp").canonical).toBe(
      "op://v/GitHub/otp?attribute=otp",
    );
    expect(parseReference("op://v/GitHub/otp?Attribute=TOTP").canonical).toBe(
      "op://v/GitHub/otp?attribute=otp",
    );
    expect(parseReference("op://v/key/private key?ssh-format=openssh")).toMatchObject({
      canonical: "op://v/key/private key?ssh-format=openssh",
      sshFormat: "openssh",
    });
  });

  it("drops surrounding whitespace but keeps spaces inside names", () => {
    expect(parseReference("  op://Dev Vault/My Item/my field \n").canonical).toBe(
      "op://Dev Vault/My Item/my field",
    );
  });

  it("accepts ids (26 lowercase letters and digits) anywhere a name goes", () => {
    const id = "abcdefghijklmnopqrstuvwxyz";
    const ref = parseReference(`op://${id}/0123456789abcdefghijklmnop/${id}`);
    expect(ref.vault).toBe(id);
    expect(isOnePasswordId(ref.vault)).toBe(true);
    expect(isOnePasswordId("Production")).toBe(false);
  });

  it("gives a canonical form that parses to itself", () => {
    for (const input of [...provider.referenceExamples, " op://a/b/c?attribute=totp"]) {
      const { canonical } = parseReference(input);
      expect(parseReference(canonical).canonical).toBe(canonical);
    }
  });

  it.each([
    ["", /empty/],
    ["Production/Database/password", /does not start with "op:\/\/"/],
    ["OP://Production/Database/password", /does not start with "op:\/\/"/],
    ["op://Production/Database", /has 2 parts/],
    ["op://a/b/c/d/e", /has 5 parts/],
    ["op://Production//password", /empty item name/],
    ["op://Production/Database/", /empty field name/],
    ["op://Production/Database/password/", /empty field name/],
    ["op:// /Database/password", /empty vault name/],
    ["op://Production/Data$base/password", /item name contains "\$"/],
    ["op://Production/Database/pass%20word", /field name contains "%"/],
    ["op://Production/Database/passwörd", /field name contains "ö"/],
    ["op://Production/Database/password?", /empty "\?" query/],
    ["op://Production/Database/password?attribute=type", /unsupported value "type"/],
    ["op://Production/Database/password?ssh-format=pkcs8", /unsupported value "pkcs8"/],
    ["op://Production/Database/password?foo=bar", /unknown query parameter "foo"/],
    ["op://v/i/f?attribute=otp&ssh-format=openssh", /more than one query parameter/],
  ])("rejects %j with INVALID_REFERENCE saying why", (input, why) => {
    const error = rejection(input);
    expect(error.code).toBe("INVALID_REFERENCE");
    expect(error.message).toMatch(why);
  });

  it("suggests the lowercase prefix and ids where they help", () => {
    expect(rejection("OP://a/b/c").hint).toMatch(/lowercase/);
    expect(rejection("op://a/b$/c").hint).toMatch(/id/);
  });

  it("does not echo input that does not look like a reference", () => {
    const pasted = "ops_notAReferenceButATokenPastedIntoTheWrongBox";
    expect(rejection(pasted).message).not.toContain(pasted);
  });

  describe("agrees with the SDK's own validator", () => {
    it.each([
      "op://vault/item/field",
      "op://Dev Vault/My Item/my field",
      "op://vault/item/section/field",
      "op://v/i/f?attribute=otp",
      "op://v/i/f?attribute=TOTP",
      "op://v/i/f?ssh-format=OpenSSH",
      "  op://v/i/f",
      "op://a-b_c.d/e f/g",
    ])("the canonical form of %j passes the SDK", (input) => {
      expect(sdkAccepts(parseReference(input).canonical)).toBe(true);
    });

    it.each([
      "OP://v/i/f",
      "op:/v/i/f",
      "op://v/i",
      "op://a/b/c/d/e",
      "op://v/it$em/f",
      "op://v/i/f%20x",
      "op://v/i/f?attribute=value",
      "op://v/i/f?foo=bar",
      "op://v/i/f?attribute=otp&ssh-format=openssh",
    ])("%j is refused by both", (input) => {
      expect(sdkAccepts(input)).toBe(false);
      expect(rejection(input).code).toBe("INVALID_REFERENCE");
    });

    it.each(["op://v//f", "op://v/i/", "op://v/i/f/", "op:// /i/f"])(
      "%j has an empty part: the SDK's parser lets it through, ours refuses it",
      (input) => {
        expect(sdkAccepts(input)).toBe(true);
        expect(rejection(input).code).toBe("INVALID_REFERENCE");
      },
    );
  });
});
