import { type ParsedReference, providerError } from "@vaultlink/core/plugin";
import { PROVIDER_ID } from "./meta.js";

/** A Secrets Manager secret, named by its full ARN or by its name. */
export interface AwsReference extends ParsedReference {
  /** What is sent as `SecretId`: the full ARN or the name. */
  secretId: string;
  /** The region inside an ARN; undefined for a name (the integration's region applies). */
  region?: string;
}

// Secrets Manager's own rule for names: 1-512 of letters, digits and /_+=.@-
const NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
// arn:<partition>:secretsmanager:<region>:<account>:secret:<name>-<6 random characters>
const ARN =
  /^arn:(aws(?:-[a-z]+)*):secretsmanager:([a-z]{2}(?:-[a-z]+)+-\d{1,2}):(\d{12}):secret:([A-Za-z0-9/_+=.@-]+)-([A-Za-z0-9]{6})$/;

export const REFERENCE_EXAMPLES = [
  "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-password-AbCdEf",
  "prod/db-password",
] as const;

/**
 * Validate a secret ARN or name without network access. The canonical form is the input as
 * is: ARNs and names are case-sensitive in Secrets Manager, so nothing can be normalised.
 */
export function parseAwsReference(input: string): AwsReference {
  const text = input.trim();
  if (text === "") throw invalid(input, "it is empty");
  if (text.startsWith("arn:")) {
    const match = ARN.exec(text);
    if (!match) {
      throw invalid(
        input,
        "it is not a complete Secrets Manager secret ARN " +
          "(arn:<partition>:secretsmanager:<region>:<12-digit account>:secret:<name>-<6 characters>)",
      );
    }
    const [, , region, , name] = match;
    if ((name as string).length > 512)
      throw invalid(input, "the secret name is over 512 characters");
    return { canonical: text, secretId: text, region: region as string };
  }
  if (!NAME.test(text)) {
    throw invalid(
      input,
      "a secret name has 1-512 characters, each a letter, digit or one of / _ + = . @ -",
    );
  }
  return { canonical: text, secretId: text };
}

/** Read the fields back from a ParsedReference (stored links come back as plain JSON). */
export function asAwsReference(reference: ParsedReference): AwsReference {
  const secretId = typeof reference.secretId === "string" ? reference.secretId : undefined;
  if (secretId === undefined) return parseAwsReference(reference.canonical);
  const region = typeof reference.region === "string" ? reference.region : undefined;
  return { ...reference, secretId, ...(region ? { region } : {}) };
}

function invalid(input: string, why: string) {
  return providerError(
    PROVIDER_ID,
    "INVALID_REFERENCE",
    `"${input}" is not an AWS Secrets Manager reference: ${why}.`,
    { hint: `Use a secret ARN or name, e.g. ${REFERENCE_EXAMPLES.join(" or ")}.` },
  );
}
