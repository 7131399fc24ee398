import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ProviderInstance, ProviderSession } from "@vaultlink/core/plugin";
import type { AwsEmulator } from "@vaultlink/emulators";
import { createTestContext } from "@vaultlink/testkit";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { awsProvider, emulatorSettings, useAwsEmulator } from "./support/aws.js";

let emulator: AwsEmulator;
let dir: string;
const restoreEnv: Array<() => void> = [];

const ROLE_ARN = "arn:aws:iam::123456789012:role/secrets-reader";
const MFA_SERIAL = "arn:aws:iam::123456789012:mfa/alice";

const aws = useAwsEmulator(async (started) => {
  emulator = started;
  await emulator.seed([{ name: "auth/secret", value: "auth-secret-value-77" }]);
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "vaultlink-aws-auth-"));
});

afterEach(() => {
  for (const restore of restoreEnv.splice(0).reverse()) restore();
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function setEnv(values: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(values)) {
    const before = process.env[name];
    restoreEnv.push(() => {
      if (before === undefined) delete process.env[name];
      else process.env[name] = before;
    });
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
}

async function signIn(
  method: string,
  settings: Record<string, unknown>,
  secrets: object = {},
  previous?: ProviderSession,
) {
  const context = createTestContext({
    integration: { id: "aws-auth", authMethod: method, settings },
    pluginOptions: { maxAttempts: 1 },
  });
  const instance = aws.track(await awsProvider.create(context));
  const session = await instance.authenticate({
    method,
    settings,
    secrets: { ...secrets },
    ...(previous ? { previous } : {}),
  });
  await context.saveSession(session);
  return { instance, session, context };
}

/** The session's keys work: a fetch through them reads the seeded secret. */
async function expectFetchWorks(instance: ProviderInstance) {
  const [result] = await instance.fetch([
    { id: "check", reference: awsProvider.parseReference("auth/secret") },
  ]);
  expect(result).toMatchObject({ ok: true, value: "auth-secret-value-77" });
}

/** A moto STS error in the query protocol's XML, as the fault layer can send it raw. */
function stsError(status: number, code: string, message: string) {
  return {
    status,
    headers: { "content-type": "text/xml" },
    body:
      `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>` +
      `<Code>${code}</Code><Message>${message}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`,
  };
}

async function writeAwsFiles(name: string, config: string, credentials: string) {
  const configFile = join(dir, `${name}-config`);
  const credentialsFile = join(dir, `${name}-credentials`);
  await writeFile(configFile, config);
  await writeFile(credentialsFile, credentials);
  setEnv({ AWS_CONFIG_FILE: configFile, AWS_SHARED_CREDENTIALS_FILE: credentialsFile });
}

/**
 * A `credential_process` command: a node script that prints the documented JSON (Version 1,
 * keys, session token, Expiration). Returns the config line and what it prints.
 */
async function credentialProcess(name: string, expiration: Date) {
  const { accessKeyId, secretAccessKey } = emulator.issueCredentials();
  const printed = {
    Version: 1,
    AccessKeyId: accessKeyId,
    SecretAccessKey: secretAccessKey,
    SessionToken: `process-session-token-${name}`,
    Expiration: expiration.toISOString(),
  };
  const script = join(dir, `${name}-credential-process.mjs`);
  await writeFile(script, `process.stdout.write(${JSON.stringify(JSON.stringify(printed))});\n`);
  return {
    line: `credential_process = "${process.execPath}" "${script}"`,
    printed,
    keys: { accessKeyId, secretAccessKey, sessionToken: printed.SessionToken },
  };
}

/** A whole second an hour from now: what credential processes usually print. */
const anHourFromNow = () => new Date(Math.floor(Date.now() / 1000) * 1000 + 3_600_000);

describe("access-key", () => {
  it("stores the keys, no expiry (long-lived keys do not expire), and who signed in", async () => {
    const keys = emulator.issueCredentials();
    const { instance, session } = await signIn("access-key", emulatorSettings(emulator), keys);
    expect(session.credentials).toEqual(keys);
    expect(session.expiresAt).toBeUndefined();
    expect(session.identity).toMatch(/^arn:aws:(sts|iam)::123456789012:/);
    expect(session.settings).toBeUndefined();
    await expectFetchWorks(instance);
  });

  it("keeps a session token with the keys", async () => {
    const keys = { ...emulator.issueCredentials(), sessionToken: "FwoGZXIvYXdzEXAMPLETOKEN" };
    const { session, instance } = await signIn("access-key", emulatorSettings(emulator), keys);
    expect(session.credentials).toEqual(keys);
    await expectFetchWorks(instance);
  });

  it("fails AUTH_FAILED when STS rejects the keys", async () => {
    emulator.inject({
      operation: "GetCallerIdentity",
      error: stsError(
        403,
        "InvalidClientTokenId",
        "The security token included in the request is invalid.",
      ),
    });
    const attempt = signIn("access-key", emulatorSettings(emulator), emulator.issueCredentials());
    await expect(attempt).rejects.toMatchObject({ code: "AUTH_FAILED" });
  });

  it("fails with a message naming the region when none can be found", async () => {
    const attempt = signIn("access-key", { endpoint: emulator.url }, emulator.issueCredentials());
    await expect(attempt).rejects.toMatchObject({
      code: "PROVIDER_ERROR",
      message: expect.stringContaining("region"),
    });
  });
});

describe("default-chain", () => {
  it("uses the SDK's chain (environment here) and keeps the region it resolved", async () => {
    const keys = emulator.issueCredentials();
    setEnv({
      AWS_ACCESS_KEY_ID: keys.accessKeyId,
      AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
      AWS_REGION: emulator.region,
    });
    const { session, instance } = await signIn("default-chain", { endpoint: emulator.url });
    expect(session.credentials).toEqual(keys);
    expect(session.settings).toEqual({ region: emulator.region });
    await expectFetchWorks(instance);
  });

  it("reads the default profile from the shared credentials and config files", async () => {
    const keys = emulator.issueCredentials();
    await writeAwsFiles(
      "chain-default",
      `[default]\nregion = ${emulator.region}\n`,
      `[default]\naws_access_key_id = ${keys.accessKeyId}\naws_secret_access_key = ${keys.secretAccessKey}\n`,
    );
    const { session, instance } = await signIn("default-chain", { endpoint: emulator.url });
    expect(session.credentials).toEqual(keys);
    expect(session.expiresAt).toBeUndefined();
    expect(session.settings).toEqual({ region: emulator.region });
    await expectFetchWorks(instance);
  });

  it("runs the credential_process of the profile AWS_PROFILE names; the session expires with it", async () => {
    const expiration = anHourFromNow();
    const command = await credentialProcess("chain", expiration);
    await writeAwsFiles("chain-process", `[profile tooling]\n${command.line}\n`, "");
    setEnv({ AWS_PROFILE: "tooling" });
    const { session, instance } = await signIn("default-chain", emulatorSettings(emulator));
    expect(session.credentials).toEqual(command.keys);
    expect(session.expiresAt).toEqual(new Date(command.printed.Expiration));
    await expectFetchWorks(instance);
  });

  it("fails AUTH_FAILED when the chain finds nothing (and never asks instance metadata)", async () => {
    const attempt = signIn("default-chain", emulatorSettings(emulator));
    await expect(attempt).rejects.toMatchObject({ code: "AUTH_FAILED" });
  });
});

describe("profile without a name: the shared files' main, else default", () => {
  async function signInNoticed(settings: Record<string, unknown>) {
    const context = createTestContext({
      integration: { id: "aws-auth", authMethod: "profile", settings },
      pluginOptions: { maxAttempts: 1 },
    });
    const instance = aws.track(await awsProvider.create(context));
    const notices: string[] = [];
    const session = await instance.authenticate({
      method: "profile",
      settings,
      secrets: {},
      notify: (m) => notices.push(m),
    });
    await context.saveSession(session);
    return { instance, session, notices };
  }

  it("no method is given: the profile method is the provider's first", () => {
    expect(awsProvider.authMethods[0]?.id).toBe("profile");
    const profile = awsProvider.authMethods[0]?.options.find((o) => o.name === "profile");
    expect(profile?.required).toBeFalsy();
  });

  it("uses main over default, says so, and stores the profile for reauth", async () => {
    const main = emulator.issueCredentials();
    const fallback = emulator.issueCredentials();
    await writeAwsFiles(
      "autofill-main",
      "[default]\nregion = us-east-1\n[profile main]\nregion = us-east-1\n",
      `[default]\naws_access_key_id = ${fallback.accessKeyId}\naws_secret_access_key = ${fallback.secretAccessKey}\n` +
        `[main]\naws_access_key_id = ${main.accessKeyId}\naws_secret_access_key = ${main.secretAccessKey}\n`,
    );
    const { session, instance, notices } = await signInNoticed({ endpoint: emulator.url });
    expect(session.credentials).toEqual(main);
    expect(session.settings).toEqual({ region: "us-east-1", profile: "main" });
    expect(notices).toEqual([expect.stringContaining('"main" profile')]);
    await expectFetchWorks(instance);
  });

  it("falls back to default (a config-file-only profile counts too)", async () => {
    const keys = emulator.issueCredentials();
    await writeAwsFiles(
      "autofill-default",
      `[default]\nregion = us-east-1\naws_access_key_id = ${keys.accessKeyId}\naws_secret_access_key = ${keys.secretAccessKey}\n[profile other]\nregion = us-east-1\n`,
      "",
    );
    const { session, notices } = await signInNoticed({ endpoint: emulator.url });
    expect(session.credentials).toEqual(keys);
    expect(session.settings).toMatchObject({ profile: "default" });
    expect(notices).toEqual([expect.stringContaining('"default" profile')]);
  });

  it("a named profile wins and is not reported as picked", async () => {
    const keys = emulator.issueCredentials();
    await writeAwsFiles(
      "autofill-named",
      "[profile main]\nregion = us-east-1\n",
      `[work]\naws_access_key_id = ${keys.accessKeyId}\naws_secret_access_key = ${keys.secretAccessKey}\n`,
    );
    const { session, notices } = await signInNoticed({
      ...emulatorSettings(emulator),
      profile: "work",
    });
    expect(session.credentials).toEqual(keys);
    expect(session.settings).toBeUndefined();
    expect(notices).toEqual([]);
  });

  it("neither exists: AUTH_FAILED naming both files, both profiles and the other methods", async () => {
    await writeAwsFiles("autofill-none", "[profile work]\nregion = us-east-1\n", "");
    const attempt = signInNoticed(emulatorSettings(emulator));
    await expect(attempt).rejects.toMatchObject({
      code: "AUTH_FAILED",
      message: expect.stringMatching(
        /autofill-none-config[\s\S]*autofill-none-credentials[\s\S]*"main" or "default"/,
      ),
      hint: expect.stringMatching(
        /--profile <name>[\s\S]*default-chain[\s\S]*access-key[\s\S]*assume-role/,
      ),
    });
    expect(emulator.requests.count()).toBe(0);
  });

  it("files that do not exist at all give the same answer", async () => {
    setEnv({
      AWS_CONFIG_FILE: join(dir, "missing-config"),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, "missing-credentials"),
    });
    await expect(signInNoticed(emulatorSettings(emulator))).rejects.toMatchObject({
      code: "AUTH_FAILED",
      message: expect.stringContaining("missing-config"),
    });
  });
});

describe("profile", () => {
  it("reads a named profile's keys and region from the shared files", async () => {
    const keys = emulator.issueCredentials();
    await writeAwsFiles(
      "static",
      "[profile dev]\nregion = us-east-1\n",
      `[dev]\naws_access_key_id = ${keys.accessKeyId}\naws_secret_access_key = ${keys.secretAccessKey}\n`,
    );
    const { session, instance } = await signIn("profile", {
      profile: "dev",
      endpoint: emulator.url,
    });
    expect(session.credentials).toEqual(keys);
    expect(session.settings).toEqual({ region: "us-east-1" });
    await expectFetchWorks(instance);
  });

  it("runs a profile's credential_process; the session expires when the process says", async () => {
    const expiration = anHourFromNow();
    const command = await credentialProcess("profile", expiration);
    await writeAwsFiles("process", `[profile ci]\n${command.line}\nregion = us-east-1\n`, "");
    const { session, instance } = await signIn("profile", {
      profile: "ci",
      endpoint: emulator.url,
    });
    expect(session.credentials).toEqual(command.keys);
    expect(session.expiresAt).toEqual(expiration);
    expect(session.settings).toEqual({ region: "us-east-1" });
    await expectFetchWorks(instance);
  });

  it("fails AUTH_FAILED when the credential_process prints expired credentials", async () => {
    const command = await credentialProcess("expired", new Date(Date.now() - 60_000));
    await writeAwsFiles("process-expired", `[profile stale]\n${command.line}\n`, "");
    const attempt = signIn("profile", { ...emulatorSettings(emulator), profile: "stale" });
    await expect(attempt).rejects.toMatchObject({
      code: "AUTH_FAILED",
      message: expect.stringMatching(/stale[\s\S]*expired/),
    });
  });

  it("assumes a profile's role_arn through STS at the endpoint, with its MFA code", async () => {
    const keys = emulator.issueCredentials();
    await writeAwsFiles(
      "role",
      `[profile reader]\nrole_arn = ${ROLE_ARN}\nsource_profile = base\nmfa_serial = ${MFA_SERIAL}\nregion = us-east-1\n`,
      `[base]\naws_access_key_id = ${keys.accessKeyId}\naws_secret_access_key = ${keys.secretAccessKey}\n`,
    );
    const settings = { profile: "reader", endpoint: emulator.url, region: emulator.region };
    await expect(signIn("profile", settings)).rejects.toMatchObject({
      code: "AUTH_FAILED",
      message: expect.stringContaining(MFA_SERIAL),
    });
    const { session, instance } = await signIn("profile", settings, { mfaCode: "123456" });
    expect(session.identity).toContain("assumed-role/secrets-reader/");
    expect(session.credentials.accessKeyId).toMatch(/^ASIA/);
    expect(session.expiresAt).toBeInstanceOf(Date);
    await expectFetchWorks(instance);
  });
});

describe("assume-role (moto's STS behind the fault layer)", () => {
  it("assumes the role with the given key; the session expires when STS says", async () => {
    const source = emulator.issueCredentials();
    const before = Date.now();
    const { session, instance } = await signIn(
      "assume-role",
      { ...emulatorSettings(emulator), roleArn: ROLE_ARN, durationSeconds: 900 },
      source,
    );
    expect(session.identity).toBe(
      "arn:aws:sts::123456789012:assumed-role/secrets-reader/vaultlink",
    );
    expect(session.credentials.accessKeyId).toMatch(/^ASIA/);
    expect(session.credentials.sessionToken).toEqual(expect.any(String));
    expect(session.credentials.source).toEqual(source);
    const lifetime = (session.expiresAt?.getTime() ?? 0) - before;
    expect(lifetime).toBeGreaterThan(890_000);
    expect(lifetime).toBeLessThan(910_000);
    await expectFetchWorks(instance);
  });

  it("assumes the role again on reauth with the stored source key", async () => {
    const settings = { ...emulatorSettings(emulator), roleArn: ROLE_ARN };
    const first = await signIn("assume-role", settings, emulator.issueCredentials());
    const again = await signIn("assume-role", settings, {}, first.session);
    expect(again.session.identity).toContain("assumed-role/secrets-reader/");
    expect(again.session.credentials.accessKeyId).not.toBe(first.session.credentials.accessKeyId);
    expect(again.session.credentials.source).toEqual(first.session.credentials.source);
    await expectFetchWorks(again.instance);
  });

  it("asks for the MFA code when the role needs one, then passes it on", async () => {
    const settings = { ...emulatorSettings(emulator), roleArn: ROLE_ARN, mfaSerial: MFA_SERIAL };
    const keys = emulator.issueCredentials();
    emulator.requests.reset();
    await expect(signIn("assume-role", settings, keys)).rejects.toMatchObject({
      code: "AUTH_FAILED",
      message: expect.stringContaining(MFA_SERIAL),
    });
    expect(emulator.requests.count()).toBe(0);
    const { session } = await signIn("assume-role", settings, { ...keys, mfaCode: "123456" });
    expect(session.identity).toContain("assumed-role/secrets-reader/");
  });

  it("fails PERMISSION_DENIED naming sts:AssumeRole when the role may not be assumed", async () => {
    emulator.inject({
      operation: "AssumeRole",
      times: 1,
      error: stsError(
        403,
        "AccessDenied",
        `User: arn:aws:iam::123456789012:user/alice is not authorized to perform: sts:AssumeRole on resource: ${ROLE_ARN}`,
      ),
    });
    const attempt = signIn(
      "assume-role",
      { ...emulatorSettings(emulator), roleArn: ROLE_ARN },
      emulator.issueCredentials(),
    );
    await expect(attempt).rejects.toMatchObject({
      code: "PERMISSION_DENIED",
      message: expect.stringContaining("sts:AssumeRole"),
    });
  });

  it("rejects a role ARN that is not one", async () => {
    const attempt = signIn(
      "assume-role",
      { ...emulatorSettings(emulator), roleArn: "arn:aws:iam::123456789012:user/alice" },
      emulator.issueCredentials(),
    );
    await expect(attempt).rejects.toMatchObject({ code: "AUTH_FAILED" });
  });
});
