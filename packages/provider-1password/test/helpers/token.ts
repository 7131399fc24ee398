import { randomBytes, randomInt, randomUUID } from "node:crypto";

const SECRET_KEY_ALPHABET = "ABCDEFGHJKLMNPQRSTVWXYZ23456789";
const randomFrom = (alphabet: string, length: number) =>
  Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join("");

/**
 * A service account token with the shape 1Password issues (ops_ + base64url JSON, members as
 * the SDK reads from it). The values are random: it signs in nowhere.
 */
export function fabricateServiceAccountToken(
  overrides: Record<string, unknown> = {},
  options: { omit?: string[] } = {},
): string {
  const payload: Record<string, unknown> = {
    signInAddress: "example-team.1password.com",
    userAuth: {
      method: "SRPg-4096",
      alg: "PBES2g-HS256",
      iterations: 650000,
      salt: randomBytes(16).toString("base64url"),
    },
    email: `${randomBytes(6).toString("hex")}@example-team.1passwordserviceaccounts.com`,
    srpX: randomBytes(32).toString("hex"),
    muk: {
      alg: "A256GCM",
      ext: false,
      k: randomBytes(32).toString("base64url"),
      key_ops: ["encrypt", "decrypt"],
      kty: "oct",
      kid: "mp",
    },
    secretKey: ["A3", ...[6, 6, 5, 5, 5, 5].map((n) => randomFrom(SECRET_KEY_ALPHABET, n))].join(
      "-",
    ),
    deviceUuid: randomFrom("abcdefghijklmnopqrstuvwxyz0123456789", 26),
    throttleSecret: { seed: randomBytes(32).toString("hex"), uuid: randomUUID() },
    ...overrides,
  };
  for (const key of options.omit ?? []) delete payload[key];
  return `ops_${Buffer.from(JSON.stringify(payload)).toString("base64url")}`;
}
