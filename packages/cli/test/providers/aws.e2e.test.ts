import { type AwsEmulator, startAwsEmulator } from "@vaultlink/emulators";
import { describe, expect, it } from "vitest";
import { EXIT, providerE2e } from "./helpers.js";

const API_KEY = "aws-e2e-api-key-7f3a9c21d";
const DB_PASSWORD = "aws-e2e-db-password-91be4d0";
const ROTATED = {
  previous: "aws-e2e-rotated-previous-3c81",
  current: "aws-e2e-rotated-current-a40e",
  release: "aws-e2e-rotated-release-77d2",
};
const RELEASE_VERSION_ID = "e2e-release-version-000000000000001";

describe("AWS Secrets Manager through the built CLI and the AWS emulator (moto)", () => {
  let creds = { accessKeyId: "", secretAccessKey: "" };
  const t = providerE2e<AwsEmulator>({
    provider: "aws",
    start: async () => {
      const emu = await startAwsEmulator({ verifySignatures: true });
      await emu.seed([
        { name: "e2e/api-key", value: API_KEY },
        { name: "e2e/db", json: { username: "app", password: DB_PASSWORD } },
        { name: "e2e/rotated", value: ROTATED.previous },
        { name: "e2e/rotated", value: ROTATED.current },
      ]);
      await emu.putSecretValue("e2e/rotated", {
        value: ROTATED.release,
        stages: ["RELEASE"],
        versionId: RELEASE_VERSION_ID,
      });
      creds = emu.issueCredentials();
      return emu;
    },
    secrets: () => [
      API_KEY,
      DB_PASSWORD,
      ...Object.values(ROTATED),
      creds.accessKeyId,
      creds.secretAccessKey,
    ],
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

  it("links versions by stage (AWSCURRENT, AWSPREVIOUS, a custom label) and by VersionId, and reads each", async () => {
    const links: Array<[name: string, version: string, value: string]> = [
      ["rot-current", "AWSCURRENT", ROTATED.current],
      ["rot-previous", "AWSPREVIOUS", ROTATED.previous],
      ["rot-release", "RELEASE", ROTATED.release],
      ["rot-by-id", `id:${RELEASE_VERSION_ID}`, ROTATED.release],
    ];
    for (const [name, version] of links) {
      const r = await t.run(["secret", "link", name, "aws", "e2e/rotated", "--version", version]);
      expect(r.code, t.d(r)).toBe(EXIT.ok);
      expect(r.stderr).toContain("(checked: the provider returned a value)");
    }
    for (const [name, , value] of links) {
      const r = await t.run(["read", name]);
      expect(r.code, t.d(r)).toBe(EXIT.ok);
      expect(r.stdout === `${value}\n`, `read ${name} printed its version's value`).toBe(true);
    }
    for (const [name] of links) {
      expect((await t.run(["secret", "delete", name, "--yes"])).code).toBe(EXIT.ok);
    }
  });

  it("AWSPREVIOUS of a secret whose value never changed is refused, naming the version", async () => {
    const r = await t.run([
      "secret",
      "link",
      "no-prev",
      "aws",
      "e2e/api-key",
      "--version",
      "AWSPREVIOUS",
    ]);
    expect(r.code, t.d(r)).toBe(EXIT.other);
    expect(r.stderr).toContain("has no version with staging label AWSPREVIOUS");
    expect(r.stderr).not.toContain("has no secret");
  });

  it("links a secret read through a role (--role-arn, from the AWS plugin's link options) and reads it", async () => {
    const role = "arn:aws:iam::123456789012:role/e2e-reader";
    const linked = await t.run([
      "secret",
      "link",
      "by-role",
      "aws",
      "e2e/api-key",
      "--role-arn",
      role,
    ]);
    expect(linked.code, t.d(linked)).toBe(EXIT.ok);
    expect(linked.stderr).toContain("(checked: the provider returned a value)");
    const info = await t.run(["secret", "get", "by-role", "--json"]);
    expect(JSON.parse(info.stdout)).toMatchObject({ link: { options: { roleArn: role } } });
    const before = t.emu.requests.count("AssumeRole");
    const read = await t.run(["read", "by-role"]);
    expect(read.code, t.d(read)).toBe(EXIT.ok);
    expect(read.stdout === `${API_KEY}\n`, "read by-role printed the value").toBe(true);
    expect(t.emu.requests.count("AssumeRole")).toBe(before + 1);
    expect((await t.run(["secret", "delete", "by-role", "--yes"])).code).toBe(EXIT.ok);
  });

  it("refuses a --role-arn that is not a role ARN, and a link option AWS does not have", async () => {
    const hash = t.v.vaultHash();
    const bad = await t.run([
      "secret",
      "link",
      "bad-role",
      "aws",
      "e2e/api-key",
      "--role-arn",
      "arn:aws:iam::123456789012:user/alice",
    ]);
    expect(bad.code, t.d(bad)).toBe(EXIT.usage);
    expect(bad.stderr).toContain("is not an IAM role ARN");
    const unknown = await t.run([
      "secret",
      "link",
      "bad-role",
      "aws",
      "e2e/api-key",
      "--role",
      "x",
    ]);
    expect(unknown.code, t.d(unknown)).toBe(EXIT.usage);
    expect(unknown.stderr).toContain("--role-arn");
    expect(t.v.vaultHash()).toBe(hash);
    const help = await t.run(["integration", "connect", "aws", "--help"]);
    expect(help.stdout).toContain("--role-arn <value>");
  });

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
