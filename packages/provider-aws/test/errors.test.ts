import { describe, expect, it } from "vitest";
import { mapAwsError } from "../src/errors.js";

/** An error shaped the way the SDK throws service errors: name, message, $metadata. */
function serviceError(name: string, message = "", httpStatusCode = 400) {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode } });
}

const context = { integrationId: "work", action: "secretsmanager:GetSecretValue", subject: "db" };

describe("mapAwsError", () => {
  it.each([
    ["ExpiredTokenException", "AUTH_EXPIRED"],
    ["ExpiredToken", "AUTH_EXPIRED"],
    ["UnrecognizedClientException", "AUTH_EXPIRED"],
    ["InvalidClientTokenId", "AUTH_EXPIRED"],
    ["InvalidSignatureException", "AUTH_EXPIRED"],
    ["AccessDeniedException", "PERMISSION_DENIED"],
    ["DecryptionFailure", "PERMISSION_DENIED"],
    ["ResourceNotFoundException", "NOT_FOUND"],
    ["ThrottlingException", "THROTTLED"],
    ["LimitExceededException", "THROTTLED"],
    ["InternalServiceError", "PROVIDER_ERROR"],
  ])("maps %s to %s", (name, code) => {
    expect(mapAwsError(serviceError(name), context).code).toBe(code);
  });

  it("treats a signature error about the clock as a clock problem, not expired credentials", () => {
    const mapped = mapAwsError(
      serviceError(
        "InvalidSignatureException",
        "Signature expired: 20260101T000000Z is now earlier than ...",
      ),
      context,
    );
    expect(mapped.code).toBe("AUTH_FAILED");
    expect(mapped.hint).toContain("clock");
  });

  it("names the action IAM says is missing", () => {
    const mapped = mapAwsError(
      serviceError(
        "AccessDeniedException",
        "User: arn:aws:iam::123456789012:user/a is not authorized to perform: secretsmanager:BatchGetSecretValue on resource: *",
      ),
      context,
    );
    expect(mapped.details?.missingAction).toBe("secretsmanager:BatchGetSecretValue");
    expect(mapped.message).toContain("secretsmanager:BatchGetSecretValue");
  });

  it("maps a secret scheduled for deletion to NOT_FOUND", () => {
    const mapped = mapAwsError(
      serviceError(
        "InvalidRequestException",
        "You can't perform this operation on the secret because it was marked for deletion.",
      ),
      context,
    );
    expect(mapped.code).toBe("NOT_FOUND");
  });

  it("finds network failures inside AggregateError and cause", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), {
      code: "ECONNREFUSED",
    });
    expect(mapAwsError(new AggregateError([refused]), context).code).toBe("UNREACHABLE");
    expect(mapAwsError(new Error("wrapped", { cause: refused }), context).code).toBe("UNREACHABLE");
  });

  it("keeps access key ids out of messages", () => {
    const mapped = mapAwsError(
      serviceError("SomethingOdd", "key AKIAABCDEFGHIJKLMNOP was odd"),
      context,
    );
    expect(mapped.message).not.toContain("AKIAABCDEFGHIJKLMNOP");
  });

  it("puts the reauth command in the hint of expired credentials", () => {
    expect(mapAwsError(serviceError("ExpiredTokenException"), context).hint).toBe(
      "run vaultlink integration reauth work",
    );
  });
});
