import { type AuthMethod, providerError } from "@vaultlink/core/plugin";
import { PROVIDER_ID } from "../reference.js";

export const SERVICE_ACCOUNT_METHOD: AuthMethod = {
  id: "service-account",
  title: "Service account token",
  description:
    "A 1Password service account token (ops_…) with read access to the vaults you link. Service accounts cannot reach Personal, Private or Employee vaults or the default Shared vault.",
  options: [
    {
      name: "token",
      title: "Service account token",
      type: "string",
      secret: true,
      required: true,
      env: "OP_SERVICE_ACCOUNT_TOKEN",
      description: "Starts with ops_; shown once when the service account is created.",
    },
  ],
};

/** What the token's payload says about itself; nothing here is secret. */
export interface ServiceAccountTokenInfo {
  signInAddress: string;
}

const FORMAT_HINT =
  "Copy the whole token from 1Password again: it starts with ops_ and is one long line.";

/**
 * Check a service account token's form without any network access: `ops_` followed by
 * base64url JSON holding the members the SDK needs (wire-protocols §D.1). Messages say which
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

  const missing: string[] = [];
  const text = (key: string) => {
    if (typeof payload[key] !== "string" || payload[key] === "") missing.push(key);
  };
  for (const key of ["signInAddress", "email", "srpX", "secretKey", "deviceUuid"]) text(key);
  const userAuth = payload.userAuth;
  if (
    !isObject(userAuth) ||
    typeof userAuth.method !== "string" ||
    typeof userAuth.alg !== "string" ||
    typeof userAuth.iterations !== "number" ||
    typeof userAuth.salt !== "string"
  ) {
    missing.push("userAuth");
  }
  if (!isObject(payload.muk)) missing.push("muk");
  const throttle = payload.throttleSecret;
  if (
    !isObject(throttle) ||
    typeof throttle.seed !== "string" ||
    typeof throttle.uuid !== "string"
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
