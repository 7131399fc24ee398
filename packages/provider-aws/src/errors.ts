import {
  errorFrom,
  isVaultlinkError,
  networkErrorCode,
  type ProviderFailure,
  providerError,
  reauthHint,
} from "@vaultlink/core/plugin";
import { PROVIDER_ID } from "./meta.js";

/** A provider failure, ready for `failureFrom()` or `errorFrom()` (core's). */
export type MappedError = ProviderFailure;

export interface ErrorContext {
  /** The integration, for the reauth hint. */
  integrationId: string;
  /** The IAM action of the call that failed, e.g. "secretsmanager:GetSecretValue". */
  action: string;
  /** What the call was about (a reference, a role ARN), named in messages. */
  subject?: string;
  /** The secret read, when the subject also names a version. */
  secretId?: string;
}

// Both spellings: Secrets Manager (JSON protocol) says ...Exception, STS (query protocol) not.
const CREDENTIAL_REJECTED = new Set([
  "ExpiredTokenException",
  "ExpiredToken",
  "UnrecognizedClientException",
  "InvalidClientTokenId",
  "InvalidSignatureException",
  "SignatureDoesNotMatch",
  "InvalidAccessKeyId",
  "IncompleteSignature",
]);
const CLOCK_SKEW = new Set(["RequestExpired", "RequestTimeTooSkewed", "RequestInTheFuture"]);
const DENIED = new Set(["AccessDeniedException", "AccessDenied", "KMSAccessDeniedException"]);
const THROTTLING = new Set([
  "ThrottlingException",
  "Throttling",
  "LimitExceededException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "SlowDown",
]);
/** AWS's own names for "no answer"; system and socket codes come from core. */
const AWS_UNREACHABLE = new Set([
  "TimeoutError",
  "RequestTimeout",
  "ServiceUnavailable",
  "ServiceUnavailableException",
]);

/** The reauth hint every credential failure carries (core's wording). */
export { reauthHint };

/** Map anything the SDK (or a credential provider) threw to a core code and a safe message. */
export function mapAwsError(error: unknown, context: ErrorContext): MappedError {
  const name = errorName(error);
  const awsMessage = redact(errorMessage(error));
  const about = context.subject ? ` for ${context.subject}` : "";
  const details: Record<string, unknown> = { awsError: name, action: context.action };
  const status = httpStatus(error);
  if (status !== undefined) details.httpStatus = status;

  const network = networkCode(error);
  if (network) {
    return {
      code: "UNREACHABLE",
      message: `AWS could not be reached (${network}) calling ${context.action}${about}.`,
      hint: "Check the network, the region and the endpoint setting, then try again.",
      details: { ...details, awsError: network },
    };
  }
  if (
    CLOCK_SKEW.has(name) ||
    (isSignatureError(name) && /expired|not yet current|skew/i.test(awsMessage))
  ) {
    return {
      code: "AUTH_FAILED",
      message: `AWS refused the request's timestamp (${name}) calling ${context.action}${about}.`,
      hint: "The system clock is off: sync it (NTP) and try again.",
      details,
    };
  }
  if (CREDENTIAL_REJECTED.has(name)) {
    return {
      code: "AUTH_EXPIRED",
      message: `AWS rejected the integration's credentials (${name}) calling ${context.action}${about}.`,
      hint: reauthHint(context.integrationId),
      details,
    };
  }
  if (name === "DecryptionFailure") {
    return {
      code: "PERMISSION_DENIED",
      message: `Secrets Manager could not decrypt the secret${about} with its KMS key; kms:Decrypt on that key is missing.`,
      hint: "Grant kms:Decrypt on the secret's KMS key (see the permissions section of the AWS provider docs).",
      details: { ...details, missingAction: "kms:Decrypt" },
    };
  }
  if (DENIED.has(name)) {
    const missingAction = deniedAction(awsMessage) ?? context.action;
    return {
      code: "PERMISSION_DENIED",
      message: `Access denied${about}: the identity lacks ${missingAction}.${awsMessage ? ` AWS said: ${awsMessage}` : ""}`,
      hint: `Allow ${missingAction} in the IAM policy of the signed-in identity (or the secret's resource policy).`,
      details: { ...details, missingAction },
    };
  }
  // "can't find the specified secret value for staging label: X" / "for VersionId: X": the
  // secret is there, the version is not.
  const missingVersion =
    name === "ResourceNotFoundException"
      ? /secret value for (staging label|VersionId): ?(\S+)/.exec(awsMessage)
      : null;
  if (missingVersion) {
    const [, kind, version] = missingVersion;
    return {
      code: "NOT_FOUND",
      message: `The secret${context.secretId ? ` ${context.secretId}` : ""} has no version with ${kind} ${version}.`,
      hint:
        kind === "staging label"
          ? "A secret has AWSPREVIOUS only once its value has changed; list the labels with `aws secretsmanager list-secret-version-ids`, or link the current version (no --version)."
          : "List the secret's versions with `aws secretsmanager list-secret-version-ids`, or link the current version (no --version).",
      details: { ...details, missingVersion: version },
    };
  }
  if (
    name === "ResourceNotFoundException" ||
    (name === "InvalidRequestException" && /deletion|deleted/i.test(awsMessage))
  ) {
    return {
      code: "NOT_FOUND",
      message: `Secrets Manager has no secret${about}${name === "InvalidRequestException" ? " (it is scheduled for deletion)" : ""}.`,
      details,
    };
  }
  if (THROTTLING.has(name)) {
    return {
      code: "THROTTLED",
      message: `AWS throttled ${context.action}${about} (${name}), still after the SDK's retries.`,
      hint: "Wait a moment and try again, or raise the maxAttempts plugin option.",
      details,
    };
  }
  if (name === "CredentialsProviderError" || /could not load credentials/i.test(awsMessage)) {
    return {
      code: "AUTH_FAILED",
      message: `No AWS credentials could be loaded: ${awsMessage}`,
      hint: "Check the profile, the environment or the keys given to this auth method.",
      details,
    };
  }
  if (/region is missing/i.test(awsMessage)) {
    return {
      code: "PROVIDER_ERROR",
      message: `No AWS region is set, so ${context.action}${about} cannot be called.`,
      hint: "Set the integration's region setting (or AWS_REGION, or region in the profile).",
      details,
    };
  }
  // The SDK could not parse the answer (a proxy's HTML page, a wrong endpoint, a cut-off body);
  // its own message tells a programmer to inspect `$response`, which a user cannot.
  if (/Deserialization error/i.test(awsMessage)) {
    return {
      code: "PROVIDER_ERROR",
      message: `The answer to ${context.action}${about} could not be read as an AWS response${status !== undefined ? ` (HTTP ${status})` : ""}.`,
      hint: "Something other than Secrets Manager may be answering (a proxy, a captive portal, a wrong endpoint setting): check the endpoint and any proxy, then try again.",
      details,
    };
  }
  return {
    code: "PROVIDER_ERROR",
    message: `${context.action}${about} failed: ${name}${awsMessage ? `: ${awsMessage}` : ""}`,
    details,
  };
}

/**
 * A linked secret's role could not be assumed: the error for every request of that role.
 * Denied names the role and sts:AssumeRole, and both sides that must allow it.
 */
export function assumeRoleError(error: unknown, integrationId: string, roleArn: string) {
  if (isVaultlinkError(error)) return error;
  const mapped = mapAwsError(error, {
    integrationId,
    action: "sts:AssumeRole",
    subject: `role ${roleArn}`,
  });
  const hint =
    mapped.code === "PERMISSION_DENIED"
      ? `Allow sts:AssumeRole on ${roleArn} in the integration identity's IAM policy, and trust that identity in the role's trust policy.`
      : mapped.hint;
  return providerError(PROVIDER_ID, mapped.code, mapped.message, {
    cause: error,
    ...(hint ? { hint } : {}),
    details: { ...mapped.details, roleArn },
  });
}

function isSignatureError(name: string): boolean {
  return name === "InvalidSignatureException" || name === "SignatureDoesNotMatch";
}

/** IAM's message names the action: "... is not authorized to perform: secretsmanager:X on ...". */
function deniedAction(message: string): string | undefined {
  return /not authorized to perform:? ([a-z0-9-]+:[A-Za-z0-9]+)/.exec(message)?.[1];
}

function errorName(error: unknown): string {
  if (error && typeof error === "object") {
    const e = error as { name?: unknown; Code?: unknown; code?: unknown };
    if (typeof e.name === "string" && e.name !== "Error") return e.name;
    if (typeof e.Code === "string") return e.Code;
    if (typeof e.code === "string") return e.code;
    if (typeof e.name === "string") return e.name;
  }
  return "UnknownError";
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : "";
}

function httpStatus(error: unknown): number | undefined {
  const status = (error as { $metadata?: { httpStatusCode?: unknown } } | undefined)?.$metadata
    ?.httpStatusCode;
  return typeof status === "number" ? status : undefined;
}

/** A network failure's code: AWS's own "no answer" names, else core's network and TLS codes. */
function networkCode(error: unknown): string | undefined {
  const name = (error as { name?: unknown } | undefined)?.name;
  if (typeof name === "string" && AWS_UNREACHABLE.has(name)) return name;
  return networkErrorCode(error);
}

/** Access key ids are not secret, but they have no business in error messages either. */
function redact(message: string): string {
  return message.replace(/\b(?:AKIA|ASIA|AROA|AIDA)[A-Z0-9]{12,}\b/g, "<access-key-id>");
}

/** At sign-in, rejected credentials are a failed sign-in, not an expired session. */
export function signInError(
  error: unknown,
  integrationId: string,
  action: string,
  subject?: string,
) {
  if (isVaultlinkError(error)) return error;
  const mapped: MappedError = mapAwsError(error, {
    integrationId,
    action,
    ...(subject ? { subject } : {}),
  });
  if (mapped.code === "AUTH_EXPIRED") {
    return providerError(PROVIDER_ID, "AUTH_FAILED", mapped.message, {
      hint: "The credentials are expired or invalid: give working ones.",
      cause: error,
      ...(mapped.details ? { details: mapped.details } : {}),
    });
  }
  return errorFrom(PROVIDER_ID, mapped, { cause: error });
}
