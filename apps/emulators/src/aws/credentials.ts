import { randomBytes } from "node:crypto";

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** The access key id in `Authorization: AWS4-HMAC-SHA256 Credential=<akid>/<date>/...`. */
export function accessKeyIdOf(authorization: string | undefined): string | undefined {
  const match = /Credential=([^/,\s]+)\//.exec(authorization ?? "");
  return match?.[1];
}

/**
 * Which access key ids still work. Every key id seen in a request (or handed out by `issue`)
 * counts as issued; `expireAll` expires every issued key, so later requests signed with one get
 * ExpiredTokenException while key ids never seen before keep working. The secret keys of pairs
 * handed out or registered are kept for optional signature checks.
 */
export class AccessKeyLedger {
  #issued = new Set<string>();
  #expired = new Set<string>();
  #secrets = new Map<string, string>();

  issue(): AwsCredentials {
    const accessKeyId = `AKIA${randomBytes(8).toString("hex").toUpperCase()}`;
    const pair = { accessKeyId, secretAccessKey: randomBytes(20).toString("base64url") };
    this.register(pair);
    return pair;
  }

  /** Make a key pair known (for signature checks) and count it as issued. */
  register(pair: AwsCredentials): void {
    this.#secrets.set(pair.accessKeyId, pair.secretAccessKey);
    this.#issued.add(pair.accessKeyId);
  }

  secretOf(accessKeyId: string): string | undefined {
    return this.#secrets.get(accessKeyId);
  }

  /** Record a key id seen on the wire; false when it has been expired. */
  admit(accessKeyId: string): boolean {
    if (this.#expired.has(accessKeyId)) return false;
    this.#issued.add(accessKeyId);
    return true;
  }

  expireAll(): void {
    for (const id of this.#issued) this.#expired.add(id);
    this.#issued.clear();
  }

  isExpired(accessKeyId: string): boolean {
    return this.#expired.has(accessKeyId);
  }

  /** Forget expiries and handed-out pairs (registered start-up pairs are restored by the caller). */
  reset(): void {
    this.#issued.clear();
    this.#expired.clear();
    this.#secrets.clear();
  }
}
