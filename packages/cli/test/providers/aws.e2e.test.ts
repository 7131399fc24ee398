import { type AwsEmulator, startAwsEmulator } from "@vaultlink/emulators";
import { describe } from "vitest";
import { providerE2e } from "./helpers.js";

const API_KEY = "aws-e2e-api-key-7f3a9c21d";
const DB_PASSWORD = "aws-e2e-db-password-91be4d0";

describe("AWS Secrets Manager through the built CLI and the AWS emulator (moto)", () => {
  let creds = { accessKeyId: "", secretAccessKey: "" };
  const t = providerE2e<AwsEmulator>({
    provider: "aws",
    start: async () => {
      const emu = await startAwsEmulator({ verifySignatures: true });
      await emu.seed([
        { name: "e2e/api-key", value: API_KEY },
        { name: "e2e/db", json: { username: "app", password: DB_PASSWORD } },
      ]);
      creds = emu.issueCredentials();
      return emu;
    },
    secrets: () => [API_KEY, DB_PASSWORD, creds.accessKeyId, creds.secretAccessKey],
  });

  t.connects(
    "connects with access-key (keys on stdin, never argv) to the emulator",
    () => ["--method", "access-key", "--region", t.emu.region, "--endpoint", t.emu.url],
    () => creds,
  );

  t.linksAndReads("links a secret by name, and one with --json-key", () => [
    ["api-key", "e2e/api-key", API_KEY],
    ["db-password", "e2e/db", DB_PASSWORD, "password"],
  ]);

  t.linkChecks("secret link checks the reference, JSON key and version against AWS", () => ({
    missing: "e2e/no-such-secret",
    existing: "e2e/db",
    badVersions: ["stage:", "id:", ""],
    missingVersion: "stage:NO-SUCH-STAGE",
    goodVersion: "AWSCURRENT",
  }));

  t.expiredRead("expired credentials: read fails with exit 4, naming the reauth command", () =>
    t.emu.expireCredentials(),
  );

  t.reauthReads("reauth with a fresh key pair makes read work again", () => {
    creds = t.emu.issueCredentials();
    return creds;
  });

  t.connectedStatus({ authMethod: "access-key" });

  t.noLeaks("no secret value or key in any stderr (or in non-read stdout), and no stack trace");
});
