import type { ConformanceFixtures, ConformanceHarness } from "@vaultlink/testkit";
import { createTcpGate, describeProviderConformance } from "@vaultlink/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsProvider, startAwsEmulator } from "./support/aws.js";

const JSON_EXPECTED = "json-nested-pw-4c1";

const fixtures: ConformanceFixtures = {
  validReferences: [
    "prod/db-password",
    "a",
    "app+1=@x.y_z-w",
    "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-password-AbCdEf",
    "arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:x-123456",
    "arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:a/b-Zz09Yy",
  ],
  invalidReferences: [
    "",
    "   ",
    "has space",
    "name#with#hash",
    "x".repeat(513),
    "arn:aws:s3:::bucket/key",
    "arn:aws:secretsmanager:us-east-1:123:secret:short-account-AbCdEf",
    "arn:aws:secretsmanager:useast1:123456789012:secret:x-AbCdEf",
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:",
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:no-suffix-AbC",
  ],
  secrets: [
    { reference: "conformance/db-password", value: "pw-7Hq!x9-db-aws" },
    { reference: "conformance/api-key", value: "ak_live_5f2c9e_aws" },
    { reference: "conformance/unicode", value: "tök€n-ünïcode-✓-aws" },
  ],
  missingReference: "conformance/does-not-exist",
  json: { reference: "conformance/app-config", key: "db.password", expected: JSON_EXPECTED },
  versions: [
    { reference: "conformance/rotated", version: "AWSPREVIOUS", value: "rotated-first" },
    { reference: "conformance/rotated", version: "AWSCURRENT", value: "rotated-second" },
    { reference: "conformance/rotated", version: "stage:AWSPREVIOUS", value: "rotated-first" },
  ],
};

async function awsHarness(): Promise<ConformanceHarness> {
  const emulator = await startAwsEmulator();
  // The gate lets makeUnreachable refuse connections while moto keeps its secrets.
  const gate = await createTcpGate(emulator.port).catch(async (error) => {
    await emulator.stop();
    throw error;
  });
  await emulator.seed([
    ...fixtures.secrets.map((s) => ({ name: s.reference, value: s.value })),
    { name: "conformance/app-config", json: { db: { user: "app", password: JSON_EXPECTED } } },
    { name: "conformance/rotated", value: "rotated-first" },
  ]);
  await emulator.putSecretValue("conformance/rotated", { value: "rotated-second" });
  const settings = { region: emulator.region, endpoint: gate.url };
  const harness: ConformanceHarness = {
    provider: awsProvider,
    authenticate: {
      method: "access-key",
      settings,
      secrets: { ...emulator.issueCredentials() },
    },
    settings,
    pluginOptions: { maxAttempts: 1 },
    faults: {
      // Real expiry: the emulator now answers ExpiredTokenException for the issued key.
      expireCredentials: async () => emulator.expireCredentials(),
      denyPermission: async () => void emulator.inject({ error: "AccessDeniedException" }),
      throttle: async () => void emulator.inject({ error: "ThrottlingException" }),
      makeUnreachable: () => gate.close(),
      clear: async () => {
        emulator.clearFaults();
        await gate.open();
        // The next sign-in gets a key that works (the old one may have been expired).
        harness.authenticate.secrets = { ...emulator.issueCredentials() };
      },
    },
    stop: async () => {
      await gate.stop();
      await emulator.stop();
    },
  };
  return harness;
}

describeProviderConformance({ describe, it, expect, beforeAll, afterAll }, awsHarness, fixtures, {
  name: "aws provider conformance (access key against moto)",
  timeout: 60_000,
});
