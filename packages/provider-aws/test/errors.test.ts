import { describe, expect, it } from "vitest";
import { mapAwsError } from "../src/errors.js";

/** An error shaped the way the SDK throws service errors: name, message, $metadata. */
function serviceError(name: string, message = "", httpStatusCode = 400) {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode } });
}

const context = { integrationId: "work", action: "secretsmanager:GetSecretValue", subject: "db" };

/** What mapAwsError makes of a service error with this name and message. */
const mapped = (name: string, message = "") => mapAwsError(serviceError(name, message), context);

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
    expect(mapped(name).code).toBe(code);
  });

  it("treats a signature error about the clock as a clock problem, not expired credentials", () => {
    const clock = mapped(
      "InvalidSignatureException",
      "Signature expired: 20260101T000000Z is now earlier than ...",
    );
    expect(clock.code).toBe("AUTH_FAILED");
    expect(clock.hint).toContain("clock");
  });

  it("names the action IAM says is missing", () => {
    const denied = mapped(
      "AccessDeniedException",
      "User: arn:aws:iam::123456789012:user/a is not authorized to perform: secretsmanager:BatchGetSecretValue on resource: *",
    );
    expect(denied.details?.missingAction).toBe("secretsmanager:BatchGetSecretValue");
    expect(denied.message).toContain("secretsmanager:BatchGetSecretValue");
  });

  it("maps a secret scheduled for deletion to NOT_FOUND", () => {
    const deleted = mapped(
      "InvalidRequestException",
      "You can't perform this operation on the secret because it was marked for deletion.",
    );
    expect(deleted.code).toBe("NOT_FOUND");
  });

  it("finds network failures inside AggregateError and cause", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), {
      code: "ECONNREFUSED",
    });
    expect(mapAwsError(new AggregateError([refused]), context).code).toBe("UNREACHABLE");
    expect(mapAwsError(new Error("wrapped", { cause: refused }), context).code).toBe("UNREACHABLE");
  });

  it("keeps access key ids out of messages", () => {
    expect(mapped("SomethingOdd", "key AKIAABCDEFGHIJKLMNOP was odd").message).not.toContain(
      "AKIAABCDEFGHIJKLMNOP",
    );
  });

  it("puts the reauth command in the hint of expired credentials", () => {
    expect(mapped("ExpiredTokenException").hint).toBe("run vaultlink integration reauth work");
  });
});
