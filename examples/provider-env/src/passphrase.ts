import { createHash, randomBytes, scrypt, timingSafeEqual } from "node:crypto";

const KEY_LENGTH = 32;

/**
 * Hash a passphrase for the `tokenHash` option: `scrypt:<salt hex>:<hash hex>`.
 * Only the hash is stored in settings; the passphrase itself is asked for at sign-in.
 */
export async function hashPassphrase(passphrase: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await derive(passphrase, salt);
  return `scrypt:${salt.toString("hex")}:${hash.toString("hex")}`;
}

/** Undefined when `stored` is not a hash this plugin makes. */
export async function checkPassphrase(
  passphrase: string,
  stored: string,
): Promise<boolean | undefined> {
  const match = /^scrypt:([0-9a-f]{32}):([0-9a-f]{64})$/.exec(stored.trim());
  if (!match) return undefined;
  const expected = Buffer.from(match[2] as string, "hex");
  const actual = await derive(passphrase, Buffer.from(match[1] as string, "hex"));
  return timingSafeEqual(actual, expected);
}

/**
 * A short, non-reversible tag of the stored hash. Sessions carry it, so changing the hash
 * ends every session made with the old passphrase.
 */
export function hashTag(stored: string): string {
  return createHash("sha256").update(stored.trim()).digest("hex").slice(0, 16);
}

function derive(passphrase: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(passphrase.normalize("NFC"), salt, KEY_LENGTH, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}
