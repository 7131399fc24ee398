import { existsSync } from "node:fs";
import * as sdk from "@1password/sdk";
import type { ProviderInstance } from "@vaultlink/core/plugin";
import { createTestContext, expectNoSecretIn } from "@vaultlink/testkit";
import { afterEach, describe, expect, it, vi } from "vitest";
import { mapResolveError, mapSdkError } from "../src/errors.js";
import provider, { parseReference, SDK_CLIENT_FACTORY_OPTION } from "../src/index.js";
import { META } from "../src/meta.js";
import { createFakeOnePassword, type FakeOnePassword } from "./helpers/fake-onepassword.js";
import { byId, fetchById, fetchMissingOrAmbiguous, request } from "./helpers/requests.js";
import { fabricateServiceAccountToken } from "./helpers/token.js";

/** Where the SDK looks for the desktop app's IPC library (shared_lib_core.js). */
const DESKTOP_APP_INSTALLED = [
  "/Applications/1Password.app/Contents/Frameworks/libop_sdk_ipc_client.dylib",
  "/usr/bin/1password/libop_sdk_ipc_client.so",
  "/opt/1Password/libop_sdk_ipc_client.so",
  "/snap/bin/1password/libop_sdk_ipc_client.so",
].some((path) => existsSync(path));

const VALUES = {
  dbPassword: "pw-db-93b1c7",
  dbUser: "svc-app-reader",
  stripe: "sk_live_5e1ec7ed",
  otp: "417302",
};

function world(): FakeOnePassword {
  return createFakeOnePassword([
    {
      name: "Production",
      items: [
        {
          title: "Database",
          sections: [{ label: "replica" }],
          fields: [
            { label: "username", value: VALUES.dbUser },
            { label: "password", value: VALUES.dbPassword },
            { label: "host", value: "db-1.internal", section: "replica" },
          ],
        },
        { title: "Stripe", fields: [{ label: "secret key", value: VALUES.stripe }] },
        { title: "GitHub", fields: [{ label: "otp", type: "otp", code: VALUES.otp }] },
        {
          title: "Twins",
          sections: [{ label: "a" }, { label: "b" }],
          fields: [
            { label: "key", value: "twin-a-value", section: "a" },
            { label: "key", value: "twin-b-value", section: "b" },
          ],
        },
        { title: "Duplicate", fields: [{ label: "x", value: "dup-1-value" }] },
        { title: "Duplicate", fields: [{ label: "x", value: "dup-2-value" }] },
      ],
    },
    { name: "Shared", items: [] },
    { name: "Shared", items: [] },
  ]);
}

describe("service account path (real SDK JavaScript over a fake core)", () => {
  const instances: ProviderInstance[] = [];
  afterEach(async () => {
    for (const i of instances.splice(0)) await i.dispose();
  });

  async function signedIn(fake = world(), pluginOptions: Record<string, unknown> = {}) {
    const token = fabricateServiceAccountToken({ signInAddress: "acme.1password.com" });
    fake.tokens.add(token);
    const ctx = createTestContext({
      integration: { authMethod: "service-account" },
      // Rate-limit retries wait 1 ms here instead of 500 ms; the retries themselves still happen.
      pluginOptions: {
        [SDK_CLIENT_FACTORY_OPTION]: fake.factory,
        throttleBaseDelayMs: 1,
        ...pluginOptions,
      },
    });
    const instance = await provider.create(ctx);
    instances.push(instance);
    const session = await instance.authenticate({
      method: "service-account",
      settings: {},
      secrets: { token },
    });
    await ctx.saveSession(session);
    return { fake, ctx, instance, session, token };
  }

  it("signs in through createClient with vaultlink's integration name and stores the token", async () => {
    const { fake, session, token } = await signedIn();
    expect(session).toEqual({
      credentials: { token },
      identity: "service account on acme.1password.com",
    });
    expect(fake.configs).toEqual([
      { auth: token, integrationName: "vaultlink", integrationVersion: META.version },
    ]);
  });

  it("resolves many references with ONE resolveAll call, each distinct reference once", async () => {
    const { fake, instance } = await signedIn();
    const results = await instance.fetch([
      request("a", "op://Production/Database/password"),
      request("b", "op://Production/Database/username"),
      request("c", "op://Production/Stripe/secret key"),
      request("d", "op://production/github/otp?attribute=totp"),
      request("e", "op://Production/Database/password"),
    ]);
    const values = byId(results);
    expect(values.get("a")).toEqual({ id: "a", ok: true, value: VALUES.dbPassword });
    expect(values.get("b")).toEqual({ id: "b", ok: true, value: VALUES.dbUser });
    expect(values.get("c")).toEqual({ id: "c", ok: true, value: VALUES.stripe });
    expect(values.get("d")).toEqual({ id: "d", ok: true, value: VALUES.otp, cacheTtlMs: 0 });
    expect(values.get("e")).toEqual({ id: "e", ok: true, value: VALUES.dbPassword });
    expect(fake.invocations.get("SecretsResolveAll")).toBe(1);
    expect(fake.invocations.get("SecretsResolve")).toBeUndefined();
    expect(fake.resolveAllCalls).toEqual([
      [
        "op://Production/Database/password",
        "op://Production/Database/username",
        "op://Production/Stripe/secret key",
        "op://production/github/otp?attribute=otp",
      ],
    ]);
  });

  it("maps each per-reference error, naming the part that is missing or ambiguous", async () => {
    const { instance } = await signedIn();
    const results = await fetchMissingOrAmbiguous(instance, [
      ["vaults", "op://Shared/Database/password"],
      ["otp", "op://Production/Stripe/secret key?attribute=otp"],
      ["ok", "op://Production/Twins/b/key"],
    ]);
    expect(results.get("vaults")).toMatchObject({
      code: "PROVIDER_ERROR",
      message: expect.stringMatching(/Several 1Password vaults match "Shared".*ambiguous/),
      hint: expect.stringMatching(/id/),
    });
    expect(results.get("otp")).toMatchObject({
      code: "PROVIDER_ERROR",
      hint: expect.stringMatching(/one-time password field/),
    });
    expect(results.get("ok")).toEqual({ id: "ok", ok: true, value: "twin-b-value" });
  });

  it("maps a parsing error from 1Password to INVALID_REFERENCE", () => {
    const ref = parseReference("op://a/b/c");
    expect(mapResolveError(ref, { type: "parsing", message: "invalid character" })).toMatchObject({
      code: "INVALID_REFERENCE",
      message: '1Password could not parse "op://a/b/c": invalid character.',
    });
  });

  it.each([
    ["RateLimitExceeded", "rate limit exceeded", "THROTTLED"],
    ["AuthExpired", "the session expired", "AUTH_EXPIRED"],
    ["DesktopSessionExpired", "the desktop session expired", "AUTH_EXPIRED"],
  ])("maps the SDK's %s error class (%s) to %s", (name, message, code) => {
    let error: unknown;
    try {
      sdk.throwError(JSON.stringify({ name, message }));
    } catch (e) {
      error = e;
    }
    expect(mapSdkError(error, "fetch").code).toBe(code);
  });

  it.each([
    ["authentication error: you are not authenticated", "fetch", "AUTH_EXPIRED"],
    ["authentication error: you are not authenticated", "authenticate", "AUTH_FAILED"],
    ["authentication error: rate limit exceeded", "fetch", "THROTTLED"],
    ["authentication error: internal server error", "fetch", "PROVIDER_ERROR"],
    [
      "authentication error: you don't have the right permissions to access this resource",
      "fetch",
      "PERMISSION_DENIED",
    ],
    [
      "authentication error: request library compatibility issue, check that the your environment uses compatible versions: reqwest library: error sending request",
      "fetch",
      "UNREACHABLE",
    ],
    ["1Password desktop application not found", "authenticate", "AUTH_FAILED"],
  ] as const)("maps the SDK message %j (%s) to %s", (message, phase, code) => {
    expect(mapSdkError(new Error(message), phase).code).toBe(code);
  });

  it("fails every request AUTH_EXPIRED when the session expires, and a new sign-in recovers", async () => {
    const { fake, instance, token } = await signedIn();
    fake.expireSessions();
    const failed = await instance.fetch([
      request("a", "op://Production/Database/password"),
      request("b", "op://Production/Stripe/secret key"),
    ]);
    expect(failed.map((r) => (r.ok ? "ok" : r.code))).toEqual(["AUTH_EXPIRED", "AUTH_EXPIRED"]);
    await instance.authenticate({ method: "service-account", settings: {}, secrets: { token } });
    const [again] = await instance.fetch([request("a", "op://Production/Database/password")]);
    expect(again).toEqual({ id: "a", ok: true, value: VALUES.dbPassword });
  });

  it("a revoked token fails AUTH_FAILED at sign-in and AUTH_EXPIRED from a stored session", async () => {
    const { fake, session, token } = await signedIn();
    fake.tokens.delete(token);
    const ctx = createTestContext({
      integration: { authMethod: "service-account" },
      pluginOptions: { [SDK_CLIENT_FACTORY_OPTION]: fake.factory },
      session,
    });
    const restored = await provider.create(ctx);
    instances.push(restored);
    const [result] = await restored.fetch([request("a", "op://Production/Database/password")]);
    expect(result).toMatchObject({ ok: false, code: "AUTH_EXPIRED" });
    const error = await restored
      .authenticate({ method: "service-account", settings: {}, secrets: { token } })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "AUTH_FAILED" });
    expectNoSecretIn([result, error], [token]);
  });

  it("a stored session builds its client on the first fetch, once", async () => {
    const { fake, session } = await signedIn();
    const ctx = createTestContext({
      integration: { authMethod: "service-account" },
      pluginOptions: { [SDK_CLIENT_FACTORY_OPTION]: fake.factory },
      session: JSON.parse(JSON.stringify(session)),
    });
    const restored = await provider.create(ctx);
    instances.push(restored);
    expect(fake.configs).toHaveLength(1);
    await restored.fetch([request("a", "op://Production/Database/password")]);
    await restored.fetch([request("b", "op://Production/Stripe/secret key")]);
    expect(fake.configs).toHaveLength(2);
  });

  it("answers a request for a version with INVALID_REFERENCE and serves the rest", async () => {
    const { fake, instance } = await signedIn();
    const results = byId(
      await instance.fetch([
        request("v", "op://Production/Database/password", "3"),
        request("ok", "op://Production/Stripe/secret key"),
      ]),
    );
    expect(results.get("v")).toMatchObject({ ok: false, code: "INVALID_REFERENCE" });
    expect(results.get("ok")).toMatchObject({ ok: true, value: VALUES.stripe });
    expect(fake.resolveAllCalls).toEqual([["op://Production/Stripe/secret key"]]);
  });

  it("retries a rate-limited resolveAll with backoff, and fails THROTTLED when it persists", async () => {
    const { fake, instance } = await signedIn();
    fake.failNext("rate-limited", 1);
    const first = await fetchById(instance, [["a", "op://Production/Database/password"]]);
    expect(first.get("a")).toEqual({ id: "a", ok: true, value: VALUES.dbPassword });
    expect(fake.invocations.get("SecretsResolveAll")).toBe(2);

    fake.fault = "rate-limited";
    const [throttled] = await instance.fetch([request("a", "op://Production/Database/password")]);
    expect(throttled).toMatchObject({ ok: false, code: "THROTTLED", hint: /limits/ });
    // The first call and the two default retries.
    expect(fake.invocations.get("SecretsResolveAll")).toBe(2 + 3);
  });

  it("does not retry when throttleRetries is 0, nor on failures other than a rate limit", async () => {
    const { fake, instance } = await signedIn(world(), { throttleRetries: 0 });
    fake.fault = "rate-limited";
    const [throttled] = await instance.fetch([request("a", "op://Production/Database/password")]);
    expect(throttled).toMatchObject({ ok: false, code: "THROTTLED" });
    expect(fake.invocations.get("SecretsResolveAll")).toBe(1);

    const patient = await signedIn();
    patient.fake.fault = "forbidden";
    const [denied] = await patient.instance.fetch([
      request("a", "op://Production/Database/password"),
    ]);
    expect(denied).toMatchObject({ ok: false, code: "PERMISSION_DENIED" });
    expect(patient.fake.invocations.get("SecretsResolveAll")).toBe(1);
  });

  it("fails AUTH_EXPIRED before any sign-in", async () => {
    const instance = await provider.create(
      createTestContext({ integration: { authMethod: "service-account" } }),
    );
    instances.push(instance);
    const [result] = await instance.fetch([request("a", "op://Production/Database/password")]);
    expect(result).toMatchObject({ ok: false, code: "AUTH_EXPIRED" });
  });
});

describe("desktop-app sign-in (the SDK's DesktopAuth; only the wiring is testable here)", () => {
  it("hands the SDK a DesktopAuth for the account and stores no secret", async () => {
    const fake = world();
    const ctx = createTestContext({
      integration: { authMethod: "desktop" },
      pluginOptions: { [SDK_CLIENT_FACTORY_OPTION]: fake.factory },
    });
    const instance = await provider.create(ctx);
    const session = await instance.authenticate({
      method: "desktop",
      settings: { account: "Acme Corp" },
      secrets: {},
    });
    expect(session).toEqual({
      credentials: {},
      settings: { account: "Acme Corp" },
      identity: "1Password desktop app, account Acme Corp",
    });
    const auth = fake.configs[0]?.auth;
    expect(auth).toBeInstanceOf(sdk.DesktopAuth);
    expect((auth as sdk.DesktopAuth).accountName).toBe("Acme Corp");
    const [result] = await instance.fetch([request("a", "op://Production/Database/password")]);
    expect(result).toEqual({ id: "a", ok: true, value: VALUES.dbPassword });
    await instance.dispose();

    // A later start rebuilds the desktop client from the stored account setting.
    await ctx.saveSession(session);
    const restored = await provider.create({
      ...ctx,
      integration: { ...ctx.integration, settings: { account: "Acme Corp" } },
    });
    await restored.fetch([request("b", "op://Production/Stripe/secret key")]);
    expect(fake.configs).toHaveLength(2);
    expect(fake.configs[1]?.auth).toBeInstanceOf(sdk.DesktopAuth);
    await restored.dispose();
  });

  // Runs where the app's IPC library is absent (CI); on a workstation with the app it would
  // open a real approval prompt, so it does not run there.
  it.runIf(!DESKTOP_APP_INSTALLED)(
    "without the desktop app the real SDK's sign-in fails AUTH_FAILED",
    async () => {
      // The SDK reports the missing app on console.error itself; keep the test output clean.
      const quiet = vi.spyOn(console, "error").mockImplementation(() => {});
      const instance = await provider.create(
        createTestContext({ integration: { authMethod: "desktop" } }),
      );
      const error = await instance
        .authenticate({ method: "desktop", settings: { account: "Acme Corp" }, secrets: {} })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: "AUTH_FAILED",
        message: expect.stringMatching(/desktop app could not be used/),
        hint: expect.stringMatching(/Integrate with other apps/),
      });
      expect(quiet).toHaveBeenCalled();
      quiet.mockRestore();
      await instance.dispose();
    },
  );

  it("needs an account", async () => {
    const instance = await provider.create(
      createTestContext({ integration: { authMethod: "desktop" } }),
    );
    await expect(
      instance.authenticate({ method: "desktop", settings: {}, secrets: {} }),
    ).rejects.toMatchObject({ code: "AUTH_FAILED", message: expect.stringMatching(/account/) });
  });
});
