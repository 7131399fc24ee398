import type { EmulatorResponse } from "../shared/index.js";

export const AWS_JSON = "application/x-amz-json-1.1";

/** The account moto (and these errors) use. */
export const AWS_ACCOUNT_ID = "123456789012";

/** An error the way Secrets Manager sends it: `{"__type","message"}` plus the error-type header. */
export function awsError(type: string, message: string, status = 400): EmulatorResponse {
  return {
    status,
    headers: { "content-type": AWS_JSON, "x-amzn-errortype": type },
    body: { __type: type, message },
  };
}

/** Named faults this emulator accepts in `FaultRule.error`. */
export const AWS_FAULTS = [
  "ExpiredTokenException",
  "UnrecognizedClientException",
  "AccessDeniedException",
  "ThrottlingException",
  "InternalServiceError",
  "InvalidSignatureException",
  "DecryptionFailure",
  "ResourceNotFoundException",
  "LimitExceededException",
] as const;

export type AwsFault = (typeof AWS_FAULTS)[number];

/** The resource a request is about, for messages that name it. */
function resourceOf(body: Buffer): string {
  try {
    const input = JSON.parse(body.toString("utf8")) as { SecretId?: unknown };
    if (typeof input.SecretId === "string") return input.SecretId;
  } catch {
    // no JSON body: fall through
  }
  return "*";
}

export function awsFaultResponse(kind: string, operation: string, body: Buffer): EmulatorResponse {
  switch (kind) {
    case "ExpiredTokenException":
      return awsError(kind, "The security token included in the request is expired");
    case "UnrecognizedClientException":
      return awsError(kind, "The security token included in the request is invalid.");
    case "AccessDeniedException":
      return awsError(
        kind,
        `User: arn:aws:iam::${AWS_ACCOUNT_ID}:user/test is not authorized to perform: ` +
          `secretsmanager:${operation} on resource: ${resourceOf(body)} ` +
          "because no identity-based policy allows the secretsmanager:" +
          `${operation} action`,
      );
    case "ThrottlingException":
      return awsError(kind, "Rate exceeded");
    case "InternalServiceError":
      return awsError(kind, "An error occurred on the server side.", 500);
    case "InvalidSignatureException":
      return awsError(
        kind,
        "The request signature we calculated does not match the signature you provided. " +
          "Check your AWS Secret Access Key and signing method.",
      );
    case "DecryptionFailure":
      return awsError(
        kind,
        "Secrets Manager can't decrypt the protected secret text using the provided KMS key.",
      );
    case "ResourceNotFoundException":
      return awsError(kind, "Secrets Manager can't find the specified secret.");
    case "LimitExceededException":
      return awsError(
        kind,
        "The request failed because it would exceed one of the Secrets Manager quotas.",
      );
    default:
      throw new Error(`unknown AWS fault "${kind}"; known faults: ${AWS_FAULTS.join(", ")}`);
  }
}

/** Query-protocol services (STS, IAM) name the same faults differently. */
const QUERY_CODES: Record<string, { code: string; status: number }> = {
  ExpiredTokenException: { code: "ExpiredToken", status: 400 },
  UnrecognizedClientException: { code: "InvalidClientTokenId", status: 403 },
  InvalidSignatureException: { code: "SignatureDoesNotMatch", status: 403 },
  AccessDeniedException: { code: "AccessDenied", status: 403 },
  ThrottlingException: { code: "Throttling", status: 400 },
  InternalServiceError: { code: "InternalFailure", status: 500 },
};

const escapeXml = (text: string) => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A fault as STS or IAM sends it (query protocol: an XML ErrorResponse). `operation` is the
 * Action ("AssumeRole"); `service` the IAM prefix ("sts", "iam") for access-denied messages.
 */
export function awsQueryFaultResponse(
  kind: string,
  operation: string,
  service: string,
  resource = "*",
): EmulatorResponse {
  const known = QUERY_CODES[kind];
  if (!known) {
    throw new Error(
      `the fault "${kind}" has no STS/IAM form; known: ${Object.keys(QUERY_CODES).join(", ")}`,
    );
  }
  const message =
    kind === "AccessDeniedException"
      ? `User: arn:aws:iam::${AWS_ACCOUNT_ID}:user/test is not authorized to perform: ${service}:${operation} on resource: ${resource}`
      : (awsFaultResponse(kind, operation, Buffer.alloc(0)).body as { message: string }).message;
  return {
    status: known.status,
    headers: { "content-type": "text/xml" },
    body:
      `<ErrorResponse><Error><Type>${known.status >= 500 ? "Receiver" : "Sender"}</Type>` +
      `<Code>${known.code}</Code><Message>${escapeXml(message)}</Message></Error>` +
      `<RequestId>emulator</RequestId></ErrorResponse>`,
  };
}
