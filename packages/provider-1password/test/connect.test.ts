import type { ProviderInstance } from "@vaultlink/core/plugin";
import {
  type RunningOnePasswordConnect,
  startOnePasswordConnectEmulator,
} from "@vaultlink/emulators";
import { createTestContext, expectNoSecretIn } from "@vaultlink/testkit";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import provider from "../src/index.js";
import { codes, fetchById, fetchMissingOrAmbiguous, request } from "./helpers/requests.js";

const VALUES = {
  user: "svc-conn-user",
  password: "pw-conn-8d21aa",
  host: "db-conn.internal",
  stripe: "sk_live_conn0042",
  otp: "551902",
};

/** Rate-limit retries wait 1 ms here instead of 500 ms; the retries themselves still happen. */
const FAST_RETRIES = { throttleBaseDelayMs: 1 };

describe("Connect server path (real @1password/connect over HTTP against the emulator)", () => {
  let emu: RunningOnePasswordConnect;
  let productionId: string;
  let stagingId: string;
  let databaseId: string;
  const instances: ProviderInstance[] = [];

  beforeAll(async () => {
    emu = await startOnePasswordConnectEmulator();
    productionId = emu.seedVault("Production");
    stagingId = emu.seedVault("Staging");
    databaseId = emu.seedItem(productionId, {
      title: "Database",
      sections: ["replica"],
      fields: [
        { label: "username", value: VALUES.user, purpose: "USERNAME" },
        { label: "password", value: VALUES.password, type: "CONCEALED", purpose: "PASSWORD" },
        { label: "host", value: VALUES.host, section: "replica" },
      ],
    }).id;
    emu.seedItem(productionId, {
      title: "Stripe",
      fields: [{ label: "secret key", value: VALUES.stripe }],
    });
    const github = emu.seedItem(productionId, {
      title: "GitHub",
      fields: [
        { label: "username", value: "octo-user" },
        {
          label: "one-time password",
          type: "OTP",
          value: "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP",
        },
      ],
    });
    // A real Connect server computes the current code into the OTP field's `totp`; the
    // emulator stores items as seeded, so the test puts a code there itself.
    const otpField = github.fields.find((f) => f.type === "OTP") as unknown as Record<
      string,
      unknown
    >;
    otpField.totp = VALUES.otp;
    emu.seedItem(productionId, {
      title: "Twins",
      sections: ["a", "b"],
      fields: [
        { label: "key", value: "twin-a-value", section: "a" },
        { label: "key", value: "twin-b-value", section: "b" },
      ],
    });
    emu.seedItem(productionId, {
      title: "Duplicate",
      fields: [{ label: "x", value: "dup-1-value" }],
    });
    emu.seedItem(productionId, {
      title: "Duplicate",
      fields: [{ label: "x", value: "dup-2-value" }],
    });
    emu.seedItem(stagingId, {
      title: "Database",
      fields: [{ label: "password", value: "pw-staging-1" }],
    });
  });

  afterAll(async () => {
    await emu.stop();
  });

  beforeEach(() => {
    emu.clearFaults();
    emu.requests.reset();
  });

  afterEach(async () => {
    for (const i of instances.splice(0)) await i.dispose();
  });

  async function signedIn(
    token = emu.token,
    extra: Record<string, unknown> = {},
    pluginOptions: Record<string, unknown> = {},
  ) {
    const settings = { host: emu.serverURL, ...extra };
    const ctx = createTestContext({
      integration: { authMethod: "connect", settings },
      pluginOptions: { ...FAST_RETRIES, ...pluginOptions },
    });
    const instance = await provider.create(ctx);
    instances.push(instance);
    const session = await instance.authenticate({
      method: "connect",
      settings,
      secrets: { token },
    });
    await ctx.saveSession(session);
    emu.requests.reset();
    return { instance, session, ctx };
  }

  it("signs in by listing vaults and stores the token, the server and no more", async () => {
    const ctx = createTestContext({ integration: { authMethod: "connect" } });
    const instance = await provider.create(ctx);
    instances.push(instance);
    const session = await instance.authenticate({
      method: "connect",
      settings: { host: emu.serverURL },
      secrets: { token: emu.token },
    });
    expect(session).toEqual({
      credentials: { token: emu.token },
      settings: { host: `${emu.serverURL}/` },
      identity: `Connect server at ${emu.serverURL}/`,
    });
    expect(emu.requests.count("vaults.list")).toBe(1);
  });

  it("reads each item once, shared by all of its fields, and looks each vault up once", async () => {
    const { instance } = await signedIn();
    const results = await fetchById(instance, [
      ["user", "op://Production/Database/username"],
      ["password", "op://production/database/password"],
      ["host", "op://Production/Database/replica/host"],
      ["stripe", "op://Production/Stripe/secret key"],
      ["staging", "op://Staging/Database/password"],
    ]);
    expect(results.get("user")).toEqual({ id: "user", ok: true, value: VALUES.user });
    expect(results.get("password")).toEqual({ id: "password", ok: true, value: VALUES.password });
    expect(results.get("host")).toEqual({ id: "host", ok: true, value: VALUES.host });
    expect(results.get("stripe")).toEqual({ id: "stripe", ok: true, value: VALUES.stripe });
    expect(results.get("staging")).toEqual({ id: "staging", ok: true, value: "pw-staging-1" });
    // Three items (Production/Database, Production/Stripe, Staging/Database): three reads.
    expect(emu.requests.count("items.get")).toBe(3);
    // Two vaults, each found by title once; three item title lookups.
    expect(emu.requests.count("vaults.list")).toBe(2);
    expect(emu.requests.count("items.list")).toBe(3);
  });

  it("goes straight to the vault and item when the reference uses ids", async () => {
    const { instance } = await signedIn();
    const [result] = await instance.fetch([
      request("a", `op://${productionId}/${databaseId}/password`),
    ]);
    expect(result).toEqual({ id: "a", ok: true, value: VALUES.password });
    expect(emu.requests.count("vaults.get")).toBe(1);
    expect(emu.requests.count("vaults.list")).toBe(0);
    expect(emu.requests.count("items.list")).toBe(0);
    expect(emu.requests.count("items.get")).toBe(1);
  });

  it("returns the current one-time code of an OTP field for ?attribute=otp", async () => {
    const { instance } = await signedIn();
    const results = await fetchById(instance, [
      ["otp", "op://Production/GitHub/one-time password?attribute=otp"],
      ["not-otp", "op://Production/GitHub/username?attribute=otp"],
    ]);
    expect(results.get("otp")).toEqual({ id: "otp", ok: true, value: VALUES.otp, cacheTtlMs: 0 });
    expect(results.get("not-otp")).toMatchObject({
      ok: false,
      code: "PROVIDER_ERROR",
      message: expect.stringMatching(/not a one-time password field/),
    });
    expect(emu.requests.count("items.get")).toBe(1);
  });

  it("names the vault, item, section or field that is missing, and explains ambiguity", async () => {
    const { instance } = await signedIn();
    const results = await fetchMissingOrAmbiguous(instance, [
      ["ok", "op://Production/Twins/a/key"],
      ["ssh", "op://Production/Stripe/secret key?ssh-format=openssh"],
    ]);
    expect(results.get("ok")).toEqual({ id: "ok", ok: true, value: "twin-a-value" });
    expect(results.get("ssh")).toMatchObject({ code: "PROVIDER_ERROR", message: /OpenSSH/ });
  });

  it("a token limited to other vaults gets PERMISSION_DENIED for a vault id, NOT_FOUND for a name", async () => {
    const { instance } = await signedIn(emu.createToken({ vaults: [stagingId] }));
    const results = await fetchById(instance, [
      ["by-id", `op://${productionId}/Database/password`],
      ["by-name", "op://Production/Database/password"],
      ["allowed", "op://Staging/Database/password"],
    ]);
    expect(results.get("by-id")).toMatchObject({
      code: "PERMISSION_DENIED",
      hint: /access to this vault/,
    });
    expect(results.get("by-name")).toMatchObject({ code: "NOT_FOUND", hint: /read access/ });
    expect(results.get("allowed")).toMatchObject({ ok: true, value: "pw-staging-1" });
  });

  it.each([
    ["unauthorized", "AUTH_EXPIRED"],
    ["forbidden", "PERMISSION_DENIED"],
    ["not-found", "NOT_FOUND"],
    ["rate-limited", "THROTTLED"],
    ["internal", "PROVIDER_ERROR"],
  ])("maps the server's %s answer to %s for every request", async (fault, code) => {
    const { instance } = await signedIn();
    emu.inject({ error: fault });
    const results = await instance.fetch([
      request("a", "op://Production/Database/password"),
      request("b", "op://Staging/Database/password"),
    ]);
    expect(codes(results)).toEqual([code, code]);
    for (const r of results) if (!r.ok) expect(r.message.length).toBeGreaterThan(10);
  });

  it("an item read failing fails only that item's requests", async () => {
    const { instance } = await signedIn();
    emu.inject({ operation: "items.get", times: 1, error: "internal" });
    const results = await instance.fetch([
      request("a", "op://Production/Database/password"),
      request("b", "op://Production/Database/username"),
    ]);
    expect(codes(results)).toEqual(["PROVIDER_ERROR", "PROVIDER_ERROR"]);
    const again = await instance.fetch([request("a", "op://Production/Database/password")]);
    expect(codes(again)).toEqual(["ok"]);
  });

  it("expired tokens: fetch fails AUTH_EXPIRED, the old token cannot sign in, a new one can", async () => {
    const local = await startOnePasswordConnectEmulator({
      vaults: [
        {
          name: "Ops",
          items: [{ title: "Key", fields: [{ label: "value", value: "ops-value-91" }] }],
        },
      ],
    });
    try {
      const settings = { host: local.serverURL };
      const ctx = createTestContext({ integration: { authMethod: "connect", settings } });
      const instance = await provider.create(ctx);
      instances.push(instance);
      const oldToken = local.token;
      await instance.authenticate({ method: "connect", settings, secrets: { token: oldToken } });
      local.expireCredentials();
      const [expired] = await instance.fetch([request("a", "op://Ops/Key/value")]);
      expect(expired).toMatchObject({ ok: false, code: "AUTH_EXPIRED", hint: /reauth/ });
      const refused = await instance
        .authenticate({ method: "connect", settings, secrets: { token: oldToken } })
        .catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: "AUTH_FAILED" });
      expectNoSecretIn([expired, refused], [oldToken]);
      await instance.authenticate({
        method: "connect",
        settings,
        secrets: { token: local.createToken() },
      });
      expect(await instance.fetch([request("a", "op://Ops/Key/value")])).toEqual([
        { id: "a", ok: true, value: "ops-value-91" },
      ]);
    } finally {
      await local.stop();
    }
  });

  it("a server slower than timeoutMs is UNREACHABLE", async () => {
    const { instance } = await signedIn(emu.token, { timeoutMs: 150 });
    emu.inject({ operation: "items.get", latencyMs: 1_000, times: 1 });
    const [result] = await instance.fetch([request("a", "op://Production/Database/password")]);
    expect(result).toMatchObject({ ok: false, code: "UNREACHABLE" });
  });

  it("caps the number of item reads in flight with the concurrency setting", async () => {
    // Slow item reads overlap unless the cap stops them; the emulator records the peak.
    const threeItems = [
      request("a", "op://Production/Database/password"),
      request("b", "op://Production/Stripe/secret key"),
      request("c", "op://Staging/Database/password"),
    ];
    for (const [concurrency, peak] of [
      [1, 1],
      [3, 3],
    ] as const) {
      const { instance } = await signedIn(emu.token, { concurrency });
      emu.inject({ operation: "items.get", latencyMs: 100, times: 3 });
      expect(codes(await instance.fetch(threeItems))).toEqual(["ok", "ok", "ok"]);
      expect(emu.requests.count("items.get")).toBe(3);
      expect(emu.requests.peakConcurrency("items.get")).toBe(peak);
    }
  });

  it("retries a rate-limited (429) read with backoff, and fails THROTTLED when it persists", async () => {
    const { instance } = await signedIn();
    emu.inject({ operation: "items.get", error: "rate-limited", times: 1 });
    expect(await instance.fetch([request("a", "op://Production/Database/password")])).toEqual([
      { id: "a", ok: true, value: VALUES.password },
    ]);
    expect(emu.requests.count("items.get")).toBe(2);

    emu.requests.reset();
    emu.inject({ operation: "items.get", error: "rate-limited" });
    const [throttled] = await instance.fetch([request("a", "op://Production/Database/password")]);
    expect(throttled).toMatchObject({ ok: false, code: "THROTTLED" });
    // The first read and the two default retries.
    expect(emu.requests.count("items.get")).toBe(3);

    const { instance: noRetries } = await signedIn(emu.token, {}, { throttleRetries: 0 });
    const [once] = await noRetries.fetch([request("a", "op://Production/Database/password")]);
    expect(once).toMatchObject({ ok: false, code: "THROTTLED" });
    expect(emu.requests.count("items.get")).toBe(1);
  });

  it("a host nothing listens on is UNREACHABLE at sign-in; a malformed host is refused", async () => {
    const closed = await startOnePasswordConnectEmulator();
    const host = closed.serverURL;
    await closed.stop();
    const instance = await provider.create(
      createTestContext({ integration: { authMethod: "connect" } }),
    );
    instances.push(instance);
    await expect(
      instance.authenticate({
        method: "connect",
        settings: { host },
        secrets: { token: "t0ken-x" },
      }),
    ).rejects.toMatchObject({ code: "UNREACHABLE", message: expect.stringContaining(host) });
    await expect(
      instance.authenticate({
        method: "connect",
        settings: { host: "ftp://x" },
        secrets: { token: "t" },
      }),
    ).rejects.toMatchObject({ code: "AUTH_FAILED", message: /http:\/\/ or https:\/\// });
    await expect(
      instance.authenticate({
        method: "connect",
        settings: { host: emu.serverURL },
        secrets: { token: "" },
      }),
    ).rejects.toMatchObject({ code: "AUTH_FAILED", message: /token/ });
  });

  it("a new instance from a stored session reads without signing in again", async () => {
    const { session, ctx } = await signedIn();
    const restored = await provider.create(
      createTestContext({
        integration: { authMethod: "connect", settings: { ...ctx.integration.settings } },
        session: JSON.parse(JSON.stringify(session)),
      }),
    );
    instances.push(restored);
    expect(await restored.fetch([request("a", "op://Production/Stripe/secret key")])).toEqual([
      { id: "a", ok: true, value: VALUES.stripe },
    ]);
    expect(emu.requests.count("vaults.list")).toBe(1);
    expect(emu.requests.count("items.get")).toBe(1);
  });
});
