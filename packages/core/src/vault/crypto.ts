import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { vaultlinkError } from "../errors/index.js";

/** AES-256-GCM nonce length in bytes. */
export const IV_BYTES = 12;
/** AES-256-GCM tag length in bytes. */
export const TAG_BYTES = 16;
/** Key length in bytes for every key vaultlink uses. */
export const KEY_BYTES = 32;

const HKDF_SALT = Buffer.from("vaultlink/v1", "utf8");

/** A fresh random 32-byte key. */
export function randomKey(): Uint8Array {
  return new Uint8Array(randomBytes(KEY_BYTES));
}

/**
 * A 32-byte key for one purpose derived from `key` with HKDF-SHA256. Different purposes give
 * independent keys ("vault", "cache", "wrap", "key-id", …). The input key must already be
 * uniformly random (a vault key or a data key), so no slow KDF is needed.
 */
export function deriveKey(key: Uint8Array, purpose: string, length = KEY_BYTES): Uint8Array {
  if (key.length !== KEY_BYTES) {
    throw new RangeError(`deriveKey needs a ${KEY_BYTES}-byte key, got ${key.length} bytes`);
  }
  return new Uint8Array(hkdfSync("sha256", key, HKDF_SALT, `vaultlink:${purpose}`, length));
}

/**
 * Encrypt with AES-256-GCM under a random nonce. Returns `iv (12) || ciphertext || tag (16)`.
 * `aad` is authenticated but not encrypted.
 */
export function sealBytes(key: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Uint8Array {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  if (aad) cipher.setAAD(aad);
  const head = cipher.update(plaintext);
  const tail = cipher.final();
  const tag = cipher.getAuthTag();
  return new Uint8Array(Buffer.concat([iv, head, tail, tag]));
}

/**
 * Decrypt what `sealBytes` produced. Throws VAULT_CORRUPT (details.reason
 * "authentication-failed") when the bytes, the AAD or the key do not match.
 */
export function openBytes(key: Uint8Array, sealed: Uint8Array, aad?: Uint8Array): Uint8Array {
  if (sealed.length < IV_BYTES + TAG_BYTES) {
    throw decryptFailure();
  }
  const iv = sealed.subarray(0, IV_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  const body = sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES);
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, iv);
    decipher.setAuthTag(tag);
    if (aad) decipher.setAAD(aad);
    const head = decipher.update(body);
    const tail = decipher.final();
    return new Uint8Array(tail.length === 0 ? head : Buffer.concat([head, tail]));
  } catch (cause) {
    throw decryptFailure(cause);
  }
}

function decryptFailure(cause?: unknown) {
  return vaultlinkError(
    "VAULT_CORRUPT",
    "Encrypted data failed its integrity check: it was altered, damaged or sealed with another key.",
    {
      details: { reason: "authentication-failed" },
      ...(cause === undefined ? {} : { cause }),
    },
  );
}
