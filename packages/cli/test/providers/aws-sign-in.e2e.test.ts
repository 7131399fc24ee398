import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AwsEmulator, startAwsEmulator } from "@vaultlink/emulators";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { onTerminal } from "../pty.js";
import {
  createVault,
  describeRun,
  type E2eVault,
  EXIT,
  hasStackTrace,
  leaksAny,
  type RunResult,
} from "./helpers.js";

/**
 * AWS sign-in through the built CLI: no method (a profile of the shared files, main before
 * default) and access keys whose user has an MFA device.
 */
describe("AWS sign-in through the built CLI: shared-files autofill and access-key MFA", () => {
  let emu: AwsEmulator;
  let vault: E2eVault;
  let files: string;
  const secrets: string[] = [];
  let users = 0;

  beforeAll(async () => {
    emu = await startAwsEmulator({ verifySignatures: true });
    await emu.seed([{ name: "signin/value", value: "aws-signin-value-5b1e" }]);
    secrets.push("aws-signin-value-5b1e");
    vault = await createVault();
    files = mkdtempSync(join(tmpdir(), "vaultlink-e2e-aws-files-"));
  }, 120_000);
  afterAll(async () => {
    vault?.cleanup();
    if (files) rmSync(files, { recursive: true, force: true });
    await emu?.stop();
  });

  const d = (r: RunResult) => describeRun(r, secrets);
  const settings = () => ["--region", emu.region, "--endpoint", emu.url];

  /** Shared AWS files with these profiles (credentials-file sections), for one run's env. */
  function awsFiles(
    name: string,
    profiles: Record<string, { accessKeyId: string; secretAccessKey: string }>,
  ) {
    const config = join(files, `${name}-config`);
    const credentials = join(files, `${name}-credentials`);
    writeFileSync(config, "");
    writeFileSync(
      credentials,
      Object.entries(profiles)
        .map(
          ([profile, k]) =>
            `[${profile}]\naws_access_key_id = ${k.accessKeyId}\naws_secret_access_key = ${k.secretAccessKey}\n`,
        )
        .join(""),
    );
    for (const k of Object.values(profiles)) secrets.push(k.secretAccessKey);
    return { AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: credentials };
  }

  it("connect with no method signs in with the main profile, says so, and --json names it", async () => {
    const env = awsFiles("main", {
      default: emu.issueCredentials(),
      main: emu.issueCredentials(),
    });
    const r = await vault.run(
      ["integration", "connect", "aws", "--id", "aws-main", ...settings(), "--json"],
      { env },
    );
    expect(r.code, d(r)).toBe(EXIT.ok);
    expect(r.stderr).toContain('Signed in with the "main" profile of the AWS shared files');
    expect(JSON.parse(r.stdout)).toMatchObject({
      id: "aws-main",
      authMethod: "profile",
      status: "connected",
      settings: { profile: "main" },
    });
    await vault.run(["secret", "link", "via-main", "aws-main", "signin/value"]);
    const read = await vault.run(["read", "via-main"]);
    expect(read.stdout === "aws-signin-value-5b1e\n", d(read)).toBe(true);
  });

  it("without main, the default profile (human output names it too)", async () => {
    const env = awsFiles("default", { default: emu.issueCredentials() });
    const r = await vault.run(
      ["integration", "connect", "aws", "--id", "aws-default", ...settings()],
      { env },
    );
    expect(r.code, d(r)).toBe(EXIT.ok);
    expect(r.stderr).toContain('"default" profile');
    const status = await vault.run(["integration", "status", "aws-default", "--json"]);
    expect(JSON.parse(status.stdout)).toMatchObject({ settings: { profile: "default" } });
  });

  it("neither profile: a clear error with the methods and the fix; the vault is unchanged", async () => {
    const env = awsFiles("none", { work: emu.issueCredentials() });
    const before = vault.vaultHash();
    const r = await vault.run(
      ["integration", "connect", "aws", "--id", "aws-none", ...settings()],
      { env },
    );
    expect(r.code, d(r)).toBe(EXIT.auth);
    expect(r.stderr).toContain('"main" or "default"');
    expect(r.stderr).toMatch(/--method default-chain \| access-key \| assume-role/);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(vault.vaultHash()).toBe(before);
  });

  it("access key of a user with an MFA device: refused without a code, naming the device", async () => {
    const user = await emu.createIamUser(`cli-mfa-${++users}`, { mfa: true });
    secrets.push(user.credentials.secretAccessKey);
    const before = vault.vaultHash();
    const r = await vault.run(
      [
        "integration",
        "connect",
        "aws",
        "--id",
        "aws-mfa-missing",
        "--method",
        "access-key",
        ...settings(),
        "--secrets-stdin",
      ],
      { input: JSON.stringify(user.credentials) },
    );
    expect(r.code, d(r)).toBe(EXIT.auth);
    expect(r.stderr).toContain(user.mfaSerial as string);
    expect(r.stderr).toContain("mfaCode");
    expect(vault.vaultHash()).toBe(before);
  });

  it("with mfaCode: connected on a GetSessionToken session that expires", async () => {
    const user = await emu.createIamUser(`cli-mfa-${++users}`, { mfa: true });
    secrets.push(user.credentials.secretAccessKey);
    const r = await vault.run(
      [
        "integration",
        "connect",
        "aws",
        "--id",
        "aws-mfa",
        "--method",
        "access-key",
        ...settings(),
        "--secrets-stdin",
        "--json",
      ],
      { input: JSON.stringify({ ...user.credentials, mfaCode: "246810" }) },
    );
    expect(r.code, d(r)).toBe(EXIT.ok);
    const info = JSON.parse(r.stdout) as { status: string; expiresAt?: string };
    expect(info.status).toBe("connected");
    expect(Date.parse(info.expiresAt ?? "")).toBeGreaterThan(Date.now());
    await vault.run(["secret", "link", "via-mfa", "aws-mfa", "signin/value"]);
    const read = await vault.run(["read", "via-mfa"]);
    expect(read.stdout === "aws-signin-value-5b1e\n", d(read)).toBe(true);
  });

  it("on a terminal: asks for the MFA code (masked), naming the device, then connects", async () => {
    const user = await emu.createIamUser(`cli-mfa-${++users}`, { mfa: true });
    secrets.push(user.credentials.secretAccessKey);
    const code = "135790";
    const s = onTerminal(
      [
        "integration",
        "connect",
        "aws",
        "--id",
        "aws-mfa-tty",
        "--method",
        "access-key",
        ...settings(),
      ],
      {
        VAULTLINK_HOME: vault.home,
        VAULTLINK_VAULT_KEY: vault.key,
        AWS_ACCESS_KEY_ID: user.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: user.credentials.secretAccessKey,
      },
    );
    await s.waitFor(
      new RegExp(
        `MFA code from ${(user.mfaSerial as string).replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}`,
      ),
      60_000,
    );
    s.type(code);
    s.type("\r");
    expect(await s.exit).toBe(0);
    expect(s.output()).toContain("Connected aws-mfa-tty");
    // Masked as typed; and GetSessionToken was called with it.
    expect(s.output()).not.toContain(code);
    expect(leaksAny([s.output()], secrets)).toBe(false);
    const status = await vault.run(["integration", "status", "aws-mfa-tty", "--json"]);
    expect(
      Date.parse((JSON.parse(status.stdout) as { expiresAt?: string }).expiresAt ?? ""),
    ).toBeGreaterThan(Date.now());
  });

  it("ListMFADevices denied: connected anyway, with a warning naming iam:ListMFADevices", async () => {
    const user = await emu.createIamUser(`cli-mfa-${++users}`, { mfa: true });
    secrets.push(user.credentials.secretAccessKey);
    emu.inject({ operation: "ListMFADevices", error: "AccessDeniedException", times: 1 });
    const r = await vault.run(
      [
        "integration",
        "connect",
        "aws",
        "--id",
        "aws-unchecked",
        "--method",
        "access-key",
        ...settings(),
        "--secrets-stdin",
        "--json",
      ],
      { input: JSON.stringify(user.credentials) },
    );
    expect(r.code, d(r)).toBe(EXIT.ok);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: "connected" });
    expect(r.stderr).toContain("iam:ListMFADevices is denied");
  });

  it("no run printed a key or a value where it should not, nor a stack trace", () => {
    for (const r of vault.runs) {
      const shown = r.args[0] === "read" ? r.stderr : `${r.stdout}\n${r.stderr}`;
      expect(leaksAny([shown], secrets), d(r)).toBe(false);
      expect(hasStackTrace(r.stderr), d(r)).toBe(false);
    }
  });
});
