import { isVaultlinkError } from "@vaultlink/core/plugin";
import { describe, expect, it } from "vitest";
import azure, { formatAzureReference, parseAzureReference } from "../src/index.js";

function rejection(input: string) {
  try {
    parseAzureReference(input);
  } catch (error) {
    if (isVaultlinkError(error)) return error;
    throw error;
  }
  throw new Error(`"${input}" was accepted`);
}

describe("secret identifiers", () => {
  it("parses the portal's Secret Identifier; no version means the latest", () => {
    const ref = parseAzureReference("https://my-vault.vault.azure.net/secrets/db-password");
    expect(ref).toEqual({
      canonical: "https://my-vault.vault.azure.net/secrets/db-password",
      vaultUrl: "https://my-vault.vault.azure.net",
      name: "db-password",
      cloud: "public",
    });
    expect(ref.version).toBeUndefined();
  });

  it("carries a version in the identifier as ParsedReference.version", () => {
    const ref = parseAzureReference(
      "https://my-vault.vault.azure.net/secrets/db-password/0123456789ABCDEF0123456789abcdef",
    );
    expect(ref.version).toBe("0123456789abcdef0123456789abcdef");
    expect(ref.canonical).toBe(
      "https://my-vault.vault.azure.net/secrets/db-password/0123456789abcdef0123456789abcdef",
    );
  });

  it("knows the sovereign clouds' vault domains", () => {
    expect(parseAzureReference("https://kv-cn.vault.azure.cn/secrets/a").cloud).toBe("china");
    expect(parseAzureReference("https://kv-gov.vault.usgovcloudapi.net/secrets/a").cloud).toBe(
      "usgov",
    );
  });

  it("normalises the host's case, spaces around it and a trailing slash", () => {
    const ref = parseAzureReference("  https://My-Vault.VAULT.azure.net/secrets/Db-Password/  ");
    expect(ref.canonical).toBe("https://my-vault.vault.azure.net/secrets/Db-Password");
    expect(parseAzureReference(ref.canonical).canonical).toBe(ref.canonical);
  });

  it("takes loopback hosts (emulators) as custom hosts, port included", () => {
    const ref = parseAzureReference("https://127.0.0.1:8443/secrets/alpha");
    expect(ref.cloud).toBe("custom");
    expect(ref.vaultUrl).toBe("https://127.0.0.1:8443");
    expect(parseAzureReference("https://localhost:9000/secrets/alpha").cloud).toBe("custom");
  });

  it("accepts vault names of 3 and 24 characters and secret names of 127", () => {
    expect(parseAzureReference("https://abc.vault.azure.net/secrets/x").name).toBe("x");
    const long = `a${"b".repeat(22)}c`;
    expect(parseAzureReference(`https://${long}.vault.azure.net/secrets/x`).vaultUrl).toContain(
      long,
    );
    const name = "n".repeat(127);
    expect(parseAzureReference(`https://abc.vault.azure.net/secrets/${name}`).name).toBe(name);
  });

  it.each([
    ["https://ab.vault.azure.net/secrets/x", "vault name"],
    [`https://a${"b".repeat(23)}c.vault.azure.net/secrets/x`, "vault name"],
    ["https://my--vault.vault.azure.net/secrets/x", "vault name"],
    ["https://9vault.vault.azure.net/secrets/x", "vault name"],
    ["https://vault-.vault.azure.net/secrets/x", "vault name"],
    ["https://my-vault.vault.azure.net/secrets/has_underscore", "secret name"],
    [`https://my-vault.vault.azure.net/secrets/${"n".repeat(128)}`, "secret name"],
    ["https://my-vault.vault.azure.net/secrets/x/v1", "secret version"],
    ["https://my-vault.vault.azure.net/secrets", "path"],
    ["https://my-vault.vault.azure.net/certificates/x", "path"],
    ["https://my-vault.vault.azure.net/secrets/x/0123456789abcdef0123456789abcdef/y", "path"],
    ["http://my-vault.vault.azure.net/secrets/x", "https://"],
    ["https://my-vault.vault.azure.net/secrets/x#frag", "query"],
    ["https://user:pw@my-vault.vault.azure.net/secrets/x", "user name"],
    ["https://my-vault.vault.azure.net:444/secrets/x", "port"],
    ["https://my-vault.vault.azure.com/secrets/x", "not a Key Vault host"],
    ["https://10.0.0.5/secrets/x", "not a Key Vault host"],
    ["my-vault/db-password", "https://"],
  ])("rejects %s (%s)", (input, problem) => {
    const error = rejection(input);
    expect(error.code).toBe("INVALID_REFERENCE");
    expect(error.provider).toBe("azure");
    expect(error.message).toContain(problem);
    expect(error.hint).toContain("Secret Identifier");
  });

  it("formats what it parses", () => {
    expect(
      formatAzureReference({
        vaultUrl: "https://kv1.vault.azure.net",
        name: "a",
        version: "f".repeat(32),
      }),
    ).toBe(`https://kv1.vault.azure.net/secrets/a/${"f".repeat(32)}`);
  });
});

describe("references checked against the integration when linking", () => {
  const local = "https://127.0.0.1:8443/secrets/api-key";
  const china = "https://myvault.vault.azure.cn/secrets/api-key";

  it("refuses a local vault host unless the integration allows it", () => {
    const err = (() => {
      try {
        azure.parseReference(local, { settings: {} });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(isVaultlinkError(err) && err.code).toBe("INVALID_REFERENCE");
    expect((err as Error).message).toContain("local vault hosts");
    expect(
      azure.parseReference(local, { settings: { allowCustomVaultHosts: true } }).canonical,
    ).toBe(local);
  });

  it("refuses a vault in another cloud than the integration's", () => {
    expect(() => azure.parseReference(china, { settings: { cloud: "public" } })).toThrowError(
      /another cloud/,
    );
    expect(azure.parseReference(china, { settings: { cloud: "china" } }).canonical).toBe(china);
    // Without an integration (offline validation) the identifier alone decides.
    expect(azure.parseReference(china).canonical).toBe(china);
  });
});

describe("the parseVersion hook", () => {
  it.each(["abc", "", "0123456789abcdef", "zz23456789abcdef0123456789abcdef", "1".repeat(33)])(
    "refuses %j",
    (input) => {
      expect(() => azure.parseVersion?.(input)).toThrow(
        expect.objectContaining({ code: "INVALID_REFERENCE" }),
      );
    },
  );

  it("accepts 32 hexadecimal digits, lower-cased", () => {
    expect(azure.parseVersion?.("0123456789ABCDEF0123456789abcdef")).toBe(
      "0123456789abcdef0123456789abcdef",
    );
  });
});
