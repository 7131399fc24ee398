import { constants, createPublicKey, type KeyObject, verify, X509Certificate } from "node:crypto";

/**
 * A public key from `jwt_validation_pubkeys`: a PEM public key (SPKI or PKCS#1) or an X.509
 * certificate. Throws on anything else, as Vault refuses such a config.
 */
export function parsePublicKey(pem: string): KeyObject {
  try {
    if (pem.includes("-----BEGIN CERTIFICATE-----")) return new X509Certificate(pem).publicKey;
    const key = createPublicKey(pem);
    if (key.type !== "public") throw new Error("not a public key");
    return key;
  } catch (error) {
    throw new Error(`error parsing public key: ${(error as Error).message}`);
  }
}

interface Algorithm {
  hash: string | null;
  keyTypes: string[];
  curve?: string;
  pss?: boolean;
}

/** Signature algorithms a JWT may use with static keys (no HMAC, never "none"). */
const ALGORITHMS: Record<string, Algorithm> = {
  RS256: { hash: "sha256", keyTypes: ["rsa"] },
  RS384: { hash: "sha384", keyTypes: ["rsa"] },
  RS512: { hash: "sha512", keyTypes: ["rsa"] },
  PS256: { hash: "sha256", keyTypes: ["rsa", "rsa-pss"], pss: true },
  PS384: { hash: "sha384", keyTypes: ["rsa", "rsa-pss"], pss: true },
  PS512: { hash: "sha512", keyTypes: ["rsa", "rsa-pss"], pss: true },
  ES256: { hash: "sha256", keyTypes: ["ec"], curve: "prime256v1" },
  ES384: { hash: "sha384", keyTypes: ["ec"], curve: "secp384r1" },
  ES512: { hash: "sha512", keyTypes: ["ec"], curve: "secp521r1" },
  EdDSA: { hash: null, keyTypes: ["ed25519", "ed448"] },
};

const HASH_BYTES: Record<string, number> = { sha256: 32, sha384: 48, sha512: 64 };

export interface DecodedJwt {
  alg: string;
  /** The header's `kid`, when it has one. */
  kid?: string;
  claims: Record<string, unknown>;
  signingInput: Buffer;
  signature: Buffer;
}

function decodeJson(part: string): unknown {
  return JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);

/** Split and decode a compact JWS; a string is Vault's "error parsing token: …" message. */
export function decodeJwt(token: string): DecodedJwt | string {
  const parts = token.split(".");
  if (parts.length !== 3) {
    return "error parsing token: go-jose/go-jose: compact JWS format must have three parts";
  }
  const [header, payload, signature] = parts as [string, string, string];
  let head: unknown;
  let claims: unknown;
  try {
    head = decodeJson(header);
    claims = decodeJson(payload);
  } catch {
    return "error parsing token: go-jose/go-jose: invalid JSON in the token";
  }
  if (!isObject(head) || typeof head.alg !== "string") {
    return "error parsing token: go-jose/go-jose: missing or invalid alg header";
  }
  if (!ALGORITHMS[head.alg]) {
    return `error parsing token: unexpected signature algorithm "${head.alg}"`;
  }
  if (!isObject(claims))
    return "error parsing token: go-jose/go-jose: payload is not a JSON object";
  return {
    alg: head.alg,
    ...(typeof head.kid === "string" ? { kid: head.kid } : {}),
    claims,
    signingInput: Buffer.from(`${header}.${payload}`, "ascii"),
    signature: Buffer.from(signature, "base64url"),
  };
}

/** Whether `key` made the token's signature with the algorithm its header names. */
export function signedBy(jwt: DecodedJwt, key: KeyObject): boolean {
  const alg = ALGORITHMS[jwt.alg];
  if (!alg || !key.asymmetricKeyType || !alg.keyTypes.includes(key.asymmetricKeyType)) {
    return false;
  }
  if (alg.curve && key.asymmetricKeyDetails?.namedCurve !== alg.curve) return false;
  try {
    if (alg.pss) {
      return verify(
        alg.hash,
        jwt.signingInput,
        {
          key,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: HASH_BYTES[alg.hash as string] as number,
        },
        jwt.signature,
      );
    }
    if (alg.curve) {
      return verify(alg.hash, jwt.signingInput, { key, dsaEncoding: "ieee-p1363" }, jwt.signature);
    }
    return verify(alg.hash, jwt.signingInput, key, jwt.signature);
  } catch {
    return false;
  }
}

/** What a JWT role checks besides the signature. */
export interface ClaimRules {
  boundAudiences: string[];
  boundSubject?: string;
  boundIssuer?: string;
  userClaim: string;
  /** Emulator time, epoch ms. */
  now: number;
}

/** Vault's defaults: 150 s to derive a missing exp/nbf, 60 s of clock skew. */
const DEFAULT_CLAIM_LEEWAY_S = 150;
const CLOCK_SKEW_LEEWAY_S = 60;

const JOSE = "go-jose/go-jose/jwt: validation failed";

/**
 * Check the registered claims the way Vault's JWT login does with static keys, then read the
 * user claim. Returns the user name, or Vault's error message.
 */
export function checkClaims(
  claims: Record<string, unknown>,
  rules: ClaimRules,
): { user: string } | string {
  const time = (name: string): number | undefined | null => {
    const value = claims[name];
    if (value === undefined || value === null) return undefined;
    return typeof value === "number" && Number.isFinite(value) ? value : null;
  };
  const iat = time("iat");
  let exp = time("exp");
  let nbf = time("nbf");
  if (iat === null || exp === null || nbf === null) {
    return "error parsing token: go-jose/go-jose/jwt: time claims must be numbers";
  }
  if (!iat && !exp && !nbf) {
    return "no issue time, notbefore, or expiration time encoded in token";
  }
  if (!exp) exp = Math.max(iat ?? 0, nbf ?? 0) + DEFAULT_CLAIM_LEEWAY_S;
  if (!nbf) nbf = iat ? iat : exp - DEFAULT_CLAIM_LEEWAY_S;

  const rawAud = claims.aud;
  const audiences =
    typeof rawAud === "string"
      ? [rawAud]
      : Array.isArray(rawAud)
        ? rawAud.filter((a): a is string => typeof a === "string")
        : [];
  if (audiences.length > 0 && rules.boundAudiences.length === 0) {
    return "audience claim found in JWT but no audiences bound to the role";
  }

  if (rules.boundIssuer && claims.iss !== rules.boundIssuer) {
    return `error validating claims: ${JOSE}, invalid issuer claim (iss)`;
  }
  if (rules.boundSubject && claims.sub !== rules.boundSubject) {
    return `error validating claims: ${JOSE}, invalid subject claim (sub)`;
  }
  const now = rules.now / 1000;
  if (now + CLOCK_SKEW_LEEWAY_S < nbf) {
    return `error validating claims: ${JOSE}, token not valid yet (nbf)`;
  }
  if (now - CLOCK_SKEW_LEEWAY_S > exp) {
    return `error validating claims: ${JOSE}, token is expired (exp)`;
  }
  if (iat && now + CLOCK_SKEW_LEEWAY_S < iat) {
    return `error validating claims: ${JOSE}, token issued in the future (iat)`;
  }
  if (
    rules.boundAudiences.length > 0 &&
    !rules.boundAudiences.some((bound) => audiences.includes(bound))
  ) {
    return "error validating claims: aud claim does not match any bound audience";
  }
  return userFromClaims(claims, rules.userClaim);
}

/** The user claim as a string, or Vault's error. */
export function userFromClaims(
  claims: Record<string, unknown>,
  userClaim: string,
): { user: string } | string {
  const value = claims[userClaim];
  if (value === undefined) return `claim "${userClaim}" not found in token`;
  if (typeof value !== "string") return `claim "${userClaim}" could not be converted to string`;
  return { user: value };
}
