import { randomBytes } from "node:crypto";
import { vaultlinkError } from "../errors/index.js";

/** Every vault key starts with this prefix, followed by base64url of 32 random bytes. */
export const VAULT_KEY_PREFIX = "vlk_";
/** Length in bytes of the key material inside a vault key. */
export const VAULT_KEY_BYTES = 32;

const BODY_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** A new random vault key: `vlk_` + base64url (no padding) of 32 random bytes. */
export function generateVaultKey(): string {
  return VAULT_KEY_PREFIX + randomBytes(VAULT_KEY_BYTES).toString("base64url");
}

/**
 * The 32 key bytes of a vault key. Surrounding whitespace is ignored (keys are often pasted).
 * Anything else throws INVALID_KEY; the message never repeats the input.
 */
export function parseVaultKey(input: string): Uint8Array {
  const hint =
    "A vault key looks like vlk_ followed by 43 letters, digits, '-' or '_'; it was shown once when the vault was created.";
  if (typeof input !== "string") {
    throw vaultlinkError("INVALID_KEY", "The vault key is not a string.", { hint });
  }
  const text = input.trim();
  if (!text.startsWith(VAULT_KEY_PREFIX)) {
    throw vaultlinkError("INVALID_KEY", "The vault key does not start with vlk_.", { hint });
  }
  const body = text.slice(VAULT_KEY_PREFIX.length);
  if (!BODY_PATTERN.test(body)) {
    throw vaultlinkError(
      "INVALID_KEY",
      `The vault key has the wrong length or characters (expected 43 base64url characters after vlk_, got ${body.length}).`,
      { hint },
    );
  }
  const bytes = Buffer.from(body, "base64url");
  // Reject non-canonical encodings (the last character carries 2 unused bits).
  if (bytes.length !== VAULT_KEY_BYTES || bytes.toString("base64url") !== body) {
    throw vaultlinkError("INVALID_KEY", "The vault key is not a valid encoding of 32 bytes.", {
      hint,
    });
  }
  return new Uint8Array(bytes);
}

/** True when `input` is a well-formed vault key. */
export function isVaultKey(input: unknown): input is string {
  if (typeof input !== "string") return false;
  try {
    parseVaultKey(input);
    return true;
  } catch {
    return false;
  }
}
