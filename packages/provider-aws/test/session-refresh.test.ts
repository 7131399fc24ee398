/**
 * Background refresh of AWS temporary credentials (the agent's `refreshSession` timer), against
 * moto's STS behind the fault layer, on a fake clock: an assumed role is assumed again ten
 * minutes before its credentials expire (AssumeRole counted), long-lived keys are left alone, a
 * refresh STS refuses keeps the working session until it expires and only then is AUTH_EXPIRED,
 * and an outage is thrown for the host to retry.
 */
import type { ProviderSession } from "@vaultlink/core/plugin";
import { createTestContext, FakeClock } from "@vaultlink/testkit";
import { describe, expect, it } from "vitest";
import { SESSION_REFRESH_MARGIN_MS } from "../src/session-refresh.js";
import { awsProvider, emulatorSettings, useAwsEmulator } from "./support/aws.js";

const ROLE_ARN = "arn:aws:iam::123456789012:role/secrets-reader";
const VALUE = "session-refresh-value-0c1d";

const aws = useAwsEmulator(async (started) => {
  await started.seed([{ name: "refresh/secret", value: VALUE }]);
});

async function signedIn(method: string, settings: Record<string, unknown>, secrets: object) {
  const clock = new FakeClock(Date.now());
  const context = createTestContext<FakeClock>({
    integration: { id: "aws-refresh", authMethod: method, settings },
    pluginOptions: { maxAttempts: 1 },
    clock,
  });
  const instance = aws.track(await awsProvider.create(context));
  const session = await instance.authenticate({ method, settings, secrets: { ...secrets } });
  await context.saveSession(session);
  return { instance, context, clock, session };
}

const expiryOf = (s: ProviderSession | undefined) => s?.expiresAt?.getTime() ?? Number.NaN;

describe("refreshSession: AWS temporary credentials renewed ahead of expiry", () => {
  it("assume-role: not before ten minutes ahead of expiry, then assumed again and stored", async () => {
    const emu = aws.emulator();
    const settings = { ...emulatorSettings(emu), roleArn: ROLE_ARN, durationSeconds: 900 };
    const { instance, context, clock, session } = await signedIn(
      "assume-role",
      settings,
      emu.issueCredentials(),
    );
    const expiresAt = expiryOf(session);
    const assumed = emu.requests.count("AssumeRole");
    const early = await instance.refreshSession?.(new AbortController().signal);
    expect(early).toEqual({ nextAt: expiresAt - SESSION_REFRESH_MARGIN_MS });
    expect(emu.requests.count("AssumeRole")).toBe(assumed);

    clock.set(expiresAt - SESSION_REFRESH_MARGIN_MS);
    const r = await instance.refreshSession?.(new AbortController().signal);
    expect(emu.requests.count("AssumeRole")).toBe(assumed + 1);
    expect(context.savedSessions).toHaveLength(2);
    const fresh = context.session;
    expect(fresh?.credentials.accessKeyId).not.toBe(session.credentials.accessKeyId);
    expect(fresh?.credentials.source).toEqual(session.credentials.source);
    expect(r?.nextAt).toBe(expiryOf(fresh) - SESSION_REFRESH_MARGIN_MS);
    // The new keys read the secret.
    const [read] = await instance.fetch([
      { id: "a", reference: awsProvider.parseReference("refresh/secret") },
    ]);
    expect(read).toMatchObject({ ok: true, value: VALUE });
  });

  it("long-lived access keys have nothing to refresh: no request", async () => {
    const emu = aws.emulator();
    const { instance, clock } = await signedIn(
      "access-key",
      emulatorSettings(emu),
      emu.issueCredentials(),
    );
    const before = emu.requests.count();
    clock.advance(365 * 24 * 3600_000);
    expect(await instance.refreshSession?.(new AbortController().signal)).toEqual({});
    expect(emu.requests.count()).toBe(before);
  });

  it("STS refusing the refresh keeps the session until it expires, then AUTH_EXPIRED", async () => {
    const emu = aws.emulator();
    const settings = { ...emulatorSettings(emu), roleArn: ROLE_ARN, durationSeconds: 900 };
    const { instance, context, clock, session } = await signedIn(
      "assume-role",
      settings,
      emu.issueCredentials(),
    );
    const expiresAt = expiryOf(session);
    clock.set(expiresAt - 60_000);
    emu.inject({ operation: "AssumeRole", error: "AccessDeniedException" });
    const r = await instance.refreshSession?.(new AbortController().signal);
    expect(r).toEqual({ nextAt: expiresAt });
    expect(context.savedSessions).toHaveLength(1);
    clock.set(expiresAt);
    await expect(instance.refreshSession?.(new AbortController().signal)).rejects.toMatchObject({
      code: "AUTH_EXPIRED",
      hint: expect.stringContaining("reauth"),
    });
  });

  it("an outage during the refresh is thrown as it is (the host tries again)", async () => {
    const emu = aws.emulator();
    const settings = { ...emulatorSettings(emu), roleArn: ROLE_ARN, durationSeconds: 900 };
    const { instance, clock, session } = await signedIn(
      "assume-role",
      settings,
      emu.issueCredentials(),
    );
    clock.set(expiryOf(session) - 60_000);
    emu.inject({ operation: "AssumeRole", error: "InternalServiceError" });
    await expect(instance.refreshSession?.(new AbortController().signal)).rejects.toMatchObject({
      code: expect.not.stringMatching(/^AUTH_/),
    });
  });
});
