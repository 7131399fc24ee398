import { describe, expect, it } from "vitest";
import {
  assertSecretName,
  deriveKey,
  generateVaultKey,
  isVaultKey,
  openBytes,
  parseVaultKey,
  randomKey,
  sealBytes,
} from "../../src/vault/index.js";
import { throwsWithCode } from "./helpers.js";

describe("vault key", () => {
  it("generates vlk_ + base64url of 32 random bytes", () => {
    const a = generateVaultKey();
    const b = generateVaultKey();
    expect(a).toMatch(/^vlk_[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(parseVaultKey(a)).toHaveLength(32);
    expect(Buffer.from(parseVaultKey(a)).toString("base64url")).toBe(a.slice(4));
    expect(isVaultKey(a)).toBe(true);
  });

  it("accepts surrounding whitespace from a paste", () => {
    const key = generateVaultKey();
    expect(parseVaultKey(`  ${key}\n`)).toEqual(parseVaultKey(key));
  });

  it("rejects anything else with INVALID_KEY and never echoes the input", () => {
    const good = generateVaultKey();
    const bad = [
      "",
      "hunter2-super-secret",
      good.slice(4),
      `${good}x`,
      good.slice(0, -1),
      `vlk_${"!".repeat(43)}`,
      `vlk_${Buffer.alloc(31, 7).toString("base64url")}`,
      nonCanonical(good),
    ];
    for (const input of bad) {
      const error = throwsWithCode(() => parseVaultKey(input), "INVALID_KEY");
      if (input.length > 3) expect(error.message).not.toContain(input);
      expect(error.hint).toBeTruthy();
    }
    expect(
      throwsWithCode(() => parseVaultKey("hunter2-super-secret"), "INVALID_KEY").message,
    ).not.toContain("hunter2");
  });
});

/** The same key with the 2 unused low bits of its last character set. */
function nonCanonical(key: string): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const last = alphabet.indexOf(key.slice(-1));
  return key.slice(0, -1) + alphabet[last | 1];
}

describe("crypto helpers", () => {
  it("seal/open round-trips with AAD and a derived key", () => {
    const key = deriveKey(randomKey(), "cache");
    const plain = new TextEncoder().encode("hello world");
    const aad = new TextEncoder().encode("header");
    const sealed = sealBytes(key, plain, aad);
    expect(sealed.length).toBe(12 + plain.length + 16);
    expect(Buffer.from(openBytes(key, sealed, aad)).toString()).toBe("hello world");
  });

  it("fails with VAULT_CORRUPT on a changed byte, wrong AAD or wrong key", () => {
    const key = randomKey();
    const sealed = sealBytes(key, new TextEncoder().encode("data"), new Uint8Array([1]));
    const flipped = new Uint8Array(sealed);
    flipped[14] = (flipped[14] ?? 0) ^ 1;
    throwsWithCode(() => openBytes(key, flipped, new Uint8Array([1])), "VAULT_CORRUPT");
    throwsWithCode(() => openBytes(key, sealed, new Uint8Array([2])), "VAULT_CORRUPT");
    throwsWithCode(() => openBytes(randomKey(), sealed, new Uint8Array([1])), "VAULT_CORRUPT");
    throwsWithCode(() => openBytes(key, sealed.subarray(0, 10)), "VAULT_CORRUPT");
  });

  it("derives independent, deterministic keys per purpose", () => {
    const base = randomKey();
    expect(deriveKey(base, "cache")).toEqual(deriveKey(base, "cache"));
    expect(deriveKey(base, "cache")).not.toEqual(deriveKey(base, "vault"));
    expect(deriveKey(base, "cache")).toHaveLength(32);
    expect(() => deriveKey(new Uint8Array(16), "cache")).toThrow(RangeError);
  });
});

describe("secret names", () => {
  it("accepts letters, digits, - _ . and rejects the rest with INVALID_NAME", () => {
    for (const ok of ["stripe-key", "A.b_c-9", "x".repeat(128)]) {
      expect(() => assertSecretName(ok)).not.toThrow();
    }
    for (const bad of ["", "has space", "slash/name", "ümlaut", "x".repeat(129), "{{vault:x}}"]) {
      throwsWithCode(() => assertSecretName(bad), "INVALID_NAME");
    }
  });
});
