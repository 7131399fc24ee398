import type { AwsEmulator, AwsIamUser } from "@vaultlink/emulators";
import { createRecordingLogger, createTestContext, FakeClock } from "@vaultlink/testkit";
import { describe, expect, it } from "vitest";
import { awsProvider, emulatorSettings, useAwsEmulator } from "./support/aws.js";

let emulator: AwsEmulator;
let users = 0;

const aws = useAwsEmulator(async (started) => {
  emulator = started;
  await emulator.seed([{ name: "mfa/secret", value: "mfa-secret-value-31" }]);
});

/** A new IAM user (own access key), with an enabled virtual MFA device when `mfa`. */
const newUser = (mfa: boolean): Promise<AwsIamUser> =>
  emulator.createIamUser(`mfa-user-${++users}`, { mfa });

/** Sign in with access-key; notices the plugin hands to `notify` are collected. */
async function signIn(
  secrets: Record<string, unknown>,
  settings: Record<string, unknown> = {},
  ask?: (q: { name: string; message: string; secret?: boolean }) => Promise<string>,
) {
  const all = { ...emulatorSettings(emulator), ...settings };
  const logger = createRecordingLogger();
  const context = createTestContext<FakeClock>({
    integration: { id: "aws-mfa", authMethod: "access-key", settings: all },
    pluginOptions: { maxAttempts: 1 },
    clock: new FakeClock(Date.now()),
    logger,
  });
  const instance = aws.track(await awsProvider.create(context));
  const notices: string[] = [];
  const session = await instance.authenticate({
    method: "access-key",
    settings: all,
    secrets,
    notify: (message) => notices.push(message),
    ...(ask ? { ask } : {}),
  });
  await context.saveSession(session);
  return { instance, session, context, notices, logger };
}

async function readSecret(instance: Awaited<ReturnType<typeof signIn>>["instance"]) {
  const [result] = await instance.fetch([
    { id: "m", reference: awsProvider.parseReference("mfa/secret") },
  ]);
  return result;
}

describe("access-key sign-in and MFA (iam:ListMFADevices, sts:GetSessionToken)", () => {
  it("a user without an MFA device signs in with the key as given, after one ListMFADevices", async () => {
    const user = await newUser(false);
    const { session, instance, notices } = await signIn({ ...user.credentials });
    expect(session.credentials).toEqual(user.credentials);
    expect(session.expiresAt).toBeUndefined();
    expect(emulator.requests.count("ListMFADevices")).toBe(1);
    expect(emulator.requests.count("GetSessionToken")).toBe(0);
    expect(notices).toEqual([]);
    expect(await readSecret(instance)).toMatchObject({ ok: true, value: "mfa-secret-value-31" });
  });

  it("a user with an MFA device and no code: AUTH_FAILED naming the device and mfaCode", async () => {
    const user = await newUser(true);
    const attempt = signIn({ ...user.credentials });
    await expect(attempt).rejects.toMatchObject({
      code: "AUTH_FAILED",
      message: expect.stringContaining(user.mfaSerial as string),
      hint: expect.stringContaining("mfaCode"),
      details: { mfaSerial: user.mfaSerial },
    });
    const error = await attempt.catch((e: Error) => e);
    expect(JSON.stringify(error)).not.toContain(user.credentials.secretAccessKey);
    expect(String(error)).not.toContain(user.credentials.secretAccessKey);
    expect(emulator.requests.count("GetSessionToken")).toBe(0);
  });

  it("with the code: GetSessionToken's session keys are stored, with their expiry", async () => {
    const user = await newUser(true);
    const { session, instance } = await signIn({ ...user.credentials, mfaCode: "123456" });
    expect(emulator.requests.count("GetSessionToken")).toBe(1);
    const credentials = session.credentials as Record<string, string>;
    expect(credentials.accessKeyId).not.toBe(user.credentials.accessKeyId);
    expect(credentials.sessionToken).toEqual(expect.any(String));
    // The long-lived key is not kept: the session holds only what signs requests.
    expect(JSON.stringify(session.credentials)).not.toContain(user.credentials.secretAccessKey);
    // moto's GetSessionToken lasts AWS's default 12 hours.
    expect(session.expiresAt).toBeInstanceOf(Date);
    expect((session.expiresAt as Date).getTime()).toBeGreaterThan(Date.now() + 11 * 3_600_000);
    expect(await readSecret(instance)).toMatchObject({ ok: true, value: "mfa-secret-value-31" });
  });

  it("on a terminal (ask given) the code is asked for, naming the device, as a secret", async () => {
    const user = await newUser(true);
    const questions: Array<{ name: string; message: string; secret?: boolean }> = [];
    const { session, instance } = await signIn({ ...user.credentials }, {}, async (q) => {
      questions.push(q);
      return " 123456 ";
    });
    expect(questions).toEqual([
      { name: "mfaCode", message: `MFA code from ${user.mfaSerial}`, secret: true },
    ]);
    expect(emulator.requests.count("GetSessionToken")).toBe(1);
    expect((session.credentials as Record<string, string>).sessionToken).toEqual(
      expect.any(String),
    );
    expect(await readSecret(instance)).toMatchObject({ ok: true, value: "mfa-secret-value-31" });
  });

  it("a user without a device is never asked; an empty answer is the missing-code error", async () => {
    const plain = await newUser(false);
    let asked = 0;
    await signIn({ ...plain.credentials }, {}, async () => {
      asked++;
      return "123456";
    });
    expect(asked).toBe(0);
    const user = await newUser(true);
    await expect(signIn({ ...user.credentials }, {}, async () => "")).rejects.toMatchObject({
      code: "AUTH_FAILED",
      hint: expect.stringContaining("mfaCode"),
    });
  });

  it("the MFA session expiring takes the usual auth-expired path (no call to AWS)", async () => {
    const user = await newUser(true);
    const { session, instance, context } = await signIn({ ...user.credentials, mfaCode: "123456" });
    const expiresAt = session.expiresAt as Date;
    context.clock.advance(expiresAt.getTime() - context.clock.now() + 1);
    emulator.requests.reset();
    expect(await readSecret(instance)).toMatchObject({
      ok: false,
      code: "AUTH_EXPIRED",
      message: expect.stringContaining(expiresAt.toISOString()),
    });
    expect(emulator.requests.count()).toBe(0);
  });

  it("asks for a chosen device with mfaSerial; a device not the user's is refused by AWS", async () => {
    const user = await newUser(true);
    const other = await newUser(true);
    const attempt = signIn(
      { ...user.credentials, mfaCode: "123456" },
      { mfaSerial: other.mfaSerial },
    );
    await expect(attempt).rejects.toMatchObject({
      code: "AUTH_FAILED",
      message: `AWS refused the MFA code for device ${other.mfaSerial}.`,
    });
  });

  it("a code AWS refuses: AUTH_FAILED saying so, the code and keys never in the error", async () => {
    const user = await newUser(true);
    const attempt = signIn({ ...user.credentials, mfaCode: "98x76" });
    const error = await attempt.catch((e: Error) => e);
    expect(error).toMatchObject({
      code: "AUTH_FAILED",
      message: `AWS refused the MFA code for device ${user.mfaSerial}.`,
      hint: expect.stringContaining("current"),
    });
    const shown = `${String(error)} ${JSON.stringify(error)}`;
    expect(shown).not.toContain(user.credentials.secretAccessKey);
    expect(shown).not.toContain("98x76");
  });

  it("ListMFADevices denied: signs in without MFA and warns, naming iam:ListMFADevices", async () => {
    const user = await newUser(true);
    emulator.inject({ operation: "ListMFADevices", error: "AccessDeniedException" });
    const { session, instance, notices, logger } = await signIn({ ...user.credentials });
    expect(session.credentials).toEqual(user.credentials);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain("iam:ListMFADevices");
    expect(logger.at("warn").map((l) => l.message)).toEqual(notices);
    expect(emulator.requests.count("GetSessionToken")).toBe(0);
    expect(await readSecret(instance)).toMatchObject({ ok: true });
  });

  it("other ListMFADevices failures fail the sign-in (a rejected key is AUTH_FAILED)", async () => {
    const user = await newUser(false);
    emulator.inject({ operation: "ListMFADevices", error: "UnrecognizedClientException" });
    await expect(signIn({ ...user.credentials })).rejects.toMatchObject({
      code: "AUTH_FAILED",
      message: expect.stringContaining("iam:ListMFADevices"),
    });
  });

  it("temporary keys (with a session token) are used as given: no MFA check", async () => {
    const keys = { ...emulator.issueCredentials(), sessionToken: "FwoGZXIvYXdzEXAMPLETOKEN" };
    const { session } = await signIn(keys);
    expect(session.credentials).toEqual(keys);
    expect(emulator.requests.count("ListMFADevices")).toBe(0);
  });
});
