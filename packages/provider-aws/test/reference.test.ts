import { isVaultlinkError } from "@vaultlink/core/plugin";
import { describe, expect, it } from "vitest";
import aws from "../src/index.js";
import { parseAwsReference } from "../src/reference.js";
import { parseVersion } from "../src/version.js";

describe("parseAwsReference", () => {
  it("takes the region, and keeps the ARN as the SecretId", () => {
    const arn = "arn:aws:secretsmanager:eu-central-2:123456789012:secret:team/db-pass-AbC12z";
    expect(parseAwsReference(arn)).toEqual({
      canonical: arn,
      secretId: arn,
      region: "eu-central-2",
    });
  });

  it("accepts other partitions", () => {
    const arn = "arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:x-123456";
    expect(parseAwsReference(arn).region).toBe("us-gov-west-1");
  });

  it("takes a name as is, with no region", () => {
    expect(parseAwsReference("  team/db+pass=1@x.y_z  ")).toEqual({
      canonical: "team/db+pass=1@x.y_z",
      secretId: "team/db+pass=1@x.y_z",
    });
  });

  it.each([
    [
      "a partial ARN (no 6-character suffix)",
      "arn:aws:secretsmanager:us-east-1:123456789012:secret:db",
    ],
    ["another service's ARN", "arn:aws:ssm:us-east-1:123456789012:parameter/db-AbCdEf"],
    ["an 11-digit account", "arn:aws:secretsmanager:us-east-1:12345678901:secret:db-AbCdEf"],
    ["a name with a space", "db password"],
    ["a name over 512 characters", "n".repeat(513)],
  ])("rejects %s with INVALID_REFERENCE", (_, input) => {
    let thrown: unknown;
    try {
      parseAwsReference(input);
    } catch (error) {
      thrown = error;
    }
    expect(isVaultlinkError(thrown) && thrown.code).toBe("INVALID_REFERENCE");
  });
});

describe("parseVersion", () => {
  it("reads a UUID as a VersionId and anything else as a stage", () => {
    expect(parseVersion("3F2504E0-4F89-41D3-9A0C-0305E82C3301")).toEqual({
      VersionId: "3F2504E0-4F89-41D3-9A0C-0305E82C3301",
    });
    expect(parseVersion("AWSPREVIOUS")).toEqual({ VersionStage: "AWSPREVIOUS" });
    expect(parseVersion("blue-green")).toEqual({ VersionStage: "blue-green" });
  });

  it("takes id: and stage: prefixes at their word", () => {
    expect(parseVersion("id:my-own-client-request-token-0001")).toEqual({
      VersionId: "my-own-client-request-token-0001",
    });
    expect(parseVersion("stage:3F2504E0-4F89-41D3-9A0C-0305E82C3301")).toEqual({
      VersionStage: "3F2504E0-4F89-41D3-9A0C-0305E82C3301",
    });
  });

  it("refuses empty versions", () => {
    expect(parseVersion("")).toBeUndefined();
    expect(parseVersion("id:")).toBeUndefined();
    expect(parseVersion("stage:")).toBeUndefined();
  });
});

describe("the parseVersion hook", () => {
  it.each(["stage:", "id:", "", "   "])("refuses %j", (input) => {
    expect(() => aws.parseVersion?.(input)).toThrow(
      expect.objectContaining({ code: "INVALID_REFERENCE" }),
    );
  });

  it.each([
    "AWSCURRENT",
    "stage:AWSPREVIOUS",
    "id:my-token",
    "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111",
  ])("accepts %j as typed", (input) => {
    expect(aws.parseVersion?.(input)).toBe(input);
  });
});
