import { providerError } from "@vaultlink/core/plugin";
import { PROVIDER_ID } from "../meta.js";

/** What the token's payload says about itself; nothing here is secret. */
export interface ServiceAccountTokenInfo {
  signInAddress: string;
}

const FORMAT_HINT =
  "Copy the whole token from 1Password again: it starts with ops_ and is one long line.";

/**
 * Check a service account token's form without any network access: `ops_` followed by
 * base64url JSON holding the members the SDK's deserializer needs (listed below, checked
 * against @1password/sdk 0.5.0; decision 0401). Messages say which
 * part is wrong and never contain the token or any part of it.
 */
export function checkServiceAccountToken(value: unknown): ServiceAccountTokenInfo {
  const fail = (problem: string) =>
    providerError(
      PROVIDER_ID,
      "AUTH_FAILED",
      `The service account token is not in 1Password's format: ${problem}.`,
      { hint: FORMAT_HINT },
    );
  if (typeof value !== "string" || value.trim() === "") throw fail("it is empty");
  const token = value.trim();
  if (!token.startsWith("ops_")) throw fail('it does not start with "ops_"');
  const body = token.slice(4);
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(body)) {
    throw fail('after "ops_" it must be base64url text (letters, digits, "-" and "_")');
  }
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
  } catch {
    throw fail('the part after "ops_" does not decode to JSON');
  }
  if (!isObject(payload)) throw fail("its payload is not a JSON object");

  // The members the SDK's deserializer insists on (checked against @1password/sdk 0.5.0);
  // other members are allowed, so a newer token layout still passes.
  const missing: string[] = [];
  const text = (value: unknown) => typeof value === "string" && value !== "";
  for (const key of ["signInAddress", "srpX", "deviceUuid"]) {
    if (!text(payload[key])) missing.push(key);
  }
  if (!text(payload.email) || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(payload.email as string)) {
    missing.push("email");
  }
  if (!text(payload.secretKey) || !/^A\d-?[A-Z0-9-]{20,}$/i.test(payload.secretKey as string)) {
    missing.push("secretKey");
  }
  const userAuth = payload.userAuth;
  if (
    !isObject(userAuth) ||
    !text(userAuth.method) ||
    !text(userAuth.alg) ||
    typeof userAuth.iterations !== "number" ||
    !text(userAuth.salt)
  ) {
    missing.push("userAuth");
  }
  const muk = payload.muk;
  if (!isObject(muk) || !text(muk.alg) || !text(muk.k) || !text(muk.kid)) missing.push("muk");
  // Optional for the SDK, but when present it must be {seed, uuid}.
  const throttle = payload.throttleSecret;
  if (
    throttle !== undefined &&
    (!isObject(throttle) || !text(throttle.seed) || !text(throttle.uuid))
  ) {
    missing.push("throttleSecret");
  }
  if (missing.length > 0) {
    throw fail(`its payload lacks or mistypes ${missing.join(", ")}`);
  }
  return { signInAddress: payload.signInAddress as string };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
