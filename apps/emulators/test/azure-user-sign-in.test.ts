import { randomBytes } from "node:crypto";
import { mkdtemp, readFile } from "node:fs/promises";
import { delimiter, join } from "node:path";
import {
  AzureCliCredential,
  DeviceCodeCredential,
  type DeviceCodeInfo,
  InteractiveBrowserCredential,
} from "@azure/identity";
import { describe, expect, it } from "vitest";
import { DEFAULT_USER, writeAzureCliStandIn } from "../src/index.js";
import {
  authorityOptions,
  CLIENT_ID,
  CLIENT_SECRET,
  call,
  claimsOf,
  DEV_CLIENT,
  dir,
  emu,
  pkceAuthorizeParams,
  type Reply,
  rejection,
  SCOPE,
  secretClient,
  useUserSignInEmulator,
  withBrowserStandIn,
} from "./azure-users-support.js";

useUserSignInEmulator({
  vaultName: "kv-users",
  secretValue: "user-visible",
  dirPrefix: "vaultlink-emu-users-",
});

const authority = () => ({ tenantId: emu.tenantId, ...authorityOptions() });

/** The emulator's control API over HTTP, as a test in another process would drive it. */
async function control(action: string, body: object): Promise<Record<string, unknown>> {
  const reply = await call(`/__emulator/${action}`, { json: body });
  if (reply.status !== 200) throw new Error(`control ${action}: ${reply.status} ${reply.text}`);
  return JSON.parse(reply.text) as Record<string, unknown>;
}

/** Wait until the device-code client has polled at least once while the code was pending. */
async function untilPolledWhilePending(userCode: string): Promise<Record<string, unknown>> {
  for (;;) {
    const status = await control("device-code-status", { userCode });
    if (Number(status.polls) >= 1) return status;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("device code sign-in (DeviceCodeCredential)", () => {
  it("polls through authorization_pending until the user approves the code", async () => {
    let resolvePrompt: (info: DeviceCodeInfo) => void = () => {};
    const prompted = new Promise<DeviceCodeInfo>((r) => {
      resolvePrompt = r;
    });
    const credential = new DeviceCodeCredential({
      ...authority(),
      userPromptCallback: (info) => resolvePrompt(info),
    });
    // enableCae as SecretClient asks: @azure/identity keeps CAE tokens in their own cache.
    const signingIn = credential.authenticate(SCOPE, { enableCae: true });

    const info = await prompted;
    expect(info.verificationUri).toBe(`${emu.url}/devicelogin`);
    expect(info.message).toContain(info.userCode);
    expect(await untilPolledWhilePending(info.userCode)).toMatchObject({ status: "pending" });
    await control("approve-device-code", { userCode: info.userCode });

    const record = await signingIn;
    expect(record).toMatchObject({
      username: DEFAULT_USER.username,
      tenantId: emu.tenantId,
      clientId: DEV_CLIENT,
    });
    expect((await secretClient(credential).getSecret("db-password")).value).toBe("user-visible");
    expect(await control("device-code-status", { userCode: info.userCode })).toMatchObject({
      status: "redeemed",
    });
    expect(emu.requests.count("token.devicecode")).toBe(1);
  });

  it("fails the sign-in when the user declines the code", async () => {
    const credential = new DeviceCodeCredential({
      ...authority(),
      userPromptCallback: (info) => {
        void control("decline-device-code", { userCode: info.userCode });
      },
    });
    const failed = await rejection(credential.authenticate(SCOPE));
    expect(failed.message).toContain("authorization_declined");
  });

  it("answers the device-code endpoint and grant over the wire with Entra ID's errors", async () => {
    const unknown = await call(`/${emu.tenantId}/oauth2/v2.0/devicecode`, {
      form: { client_id: "not-registered", scope: SCOPE },
    });
    expect(unknown.status).toBe(400);
    expect(JSON.parse(unknown.text)).toMatchObject({ error_codes: [700016] });

    const started = await call(`/${emu.tenantId}/oauth2/v2.0/devicecode`, {
      form: { client_id: DEV_CLIENT, scope: `${SCOPE} openid profile offline_access` },
    });
    expect(started.status).toBe(200);
    const device = JSON.parse(started.text);
    expect(device).toMatchObject({ expires_in: 900, interval: 0.2 });
    expect(device.user_code).toMatch(/^[A-Z2-9]{9}$/);

    const poll = () =>
      call(`/${emu.tenantId}/oauth2/v2.0/token`, {
        form: {
          grant_type: "urn:ietf:params:oauth:grant-type:device_code",
          client_id: DEV_CLIENT,
          device_code: device.device_code,
        },
      });
    const pending = await poll();
    expect(pending.status).toBe(400);
    expect(JSON.parse(pending.text)).toMatchObject({
      error: "authorization_pending",
      error_codes: [70016],
    });

    emu.approveDeviceCode(device.user_code);
    const granted = JSON.parse((await poll()).text);
    expect(granted).toMatchObject({ token_type: "Bearer", scope: SCOPE });
    expect(claimsOf(granted.id_token)).toMatchObject({
      aud: DEV_CLIENT,
      tid: emu.tenantId,
      preferred_username: DEFAULT_USER.username,
      ver: "2.0",
    });
    expect(JSON.parse(Buffer.from(granted.client_info, "base64url").toString())).toEqual({
      uid: DEFAULT_USER.objectId,
      utid: emu.tenantId,
    });
    expect(emu.identity.check(`Bearer ${granted.access_token}`)).toBe("valid");

    expect(JSON.parse((await poll()).text)).toMatchObject({ error: "invalid_grant" });
  });
});

describe("browser sign-in (InteractiveBrowserCredential, authorization code + PKCE)", () => {
  const verifier = randomBytes(32).toString("base64url");
  const loopback = "http://localhost:53219";
  const authorizeQuery = (extra: Record<string, string | undefined> = {}) => {
    const q: Record<string, string> = {
      ...pkceAuthorizeParams(verifier, loopback),
      state: "state-123",
    };
    for (const [k, v] of Object.entries(extra)) {
      if (v === undefined) delete q[k];
      else q[k] = v;
    }
    return `/${emu.tenantId}/oauth2/v2.0/authorize?${new URLSearchParams(q)}`;
  };
  const redirectOf = (reply: Reply) => new URL(String(reply.headers.location));

  it("signs in through the system browser (the stand-in) and the loopback redirect", async () => {
    await withBrowserStandIn(async (logFile) => {
      const credential = new InteractiveBrowserCredential(authority());
      const record = await credential.authenticate(SCOPE, { enableCae: true });
      expect(record).toMatchObject({ username: DEFAULT_USER.username, tenantId: emu.tenantId });
      expect((await secretClient(credential).getSecret("db-password")).value).toBe("user-visible");
      const hops = (await readFile(logFile, "utf8")).trim().split("\n");
      // MSAL node asks for form_post: the authorize page's form is posted to the loopback.
      expect(hops[0]).toBe(`200 ${emu.url}/${emu.tenantId}/oauth2/v2.0/authorize`);
      expect(hops.slice(1).map((h) => h.replace(/:\d+\//, ":<port>/"))).toEqual([
        "200 http://localhost:<port>/",
      ]);
      expect(emu.requests.count("token.authorize")).toBe(1);
    });
  });

  it("redeems a code once, for its redirect URI, with the matching PKCE verifier", async () => {
    const code = async () => {
      const reply = await call(authorizeQuery({ client_info: "1" }));
      expect(reply.status).toBe(302);
      const back = redirectOf(reply);
      expect(back.origin).toBe(loopback);
      expect(back.searchParams.get("state")).toBe("state-123");
      return back.searchParams.get("code") as string;
    };
    const redeem = (c: string, extra: Record<string, string> = {}) =>
      call(`/${emu.tenantId}/oauth2/v2.0/token`, {
        form: {
          grant_type: "authorization_code",
          client_id: DEV_CLIENT,
          code: c,
          redirect_uri: loopback,
          code_verifier: verifier,
          ...extra,
        },
      });
    const errorOf = async (reply: Promise<Reply>) => JSON.parse((await reply).text);

    const first = await code();
    expect(await errorOf(redeem(first, { code_verifier: "x".repeat(43) }))).toMatchObject({
      error: "invalid_grant",
      error_codes: [501481],
    });
    // One attempt per code, right or wrong.
    expect(await errorOf(redeem(first))).toMatchObject({ error_codes: [54005] });
    expect(
      await errorOf(redeem(await code(), { redirect_uri: "http://localhost:1/" })),
    ).toMatchObject({ error_codes: [500117] });

    const good = await redeem(await code());
    expect(good.status).toBe(200);
    const body = JSON.parse(good.text);
    expect(claimsOf(body.id_token)).toMatchObject({ preferred_username: DEFAULT_USER.username });
    expect(emu.identity.check(`Bearer ${body.access_token}`)).toBe("valid");
  });

  it("shows errors it cannot redirect on its own page and sends the others back with state", async () => {
    const page = await call(authorizeQuery({ client_id: "not-registered" }));
    expect(page.status).toBe(400);
    expect(page.text).toContain("AADSTS700016");
    const foreign = await call(authorizeQuery({ redirect_uri: "https://app.example.test/cb" }));
    expect(foreign.status).toBe(400);
    expect(foreign.text).toContain("AADSTS50011");

    for (const [extra, code] of [
      [{ code_challenge: undefined }, "AADSTS9002325"],
      [{ code_challenge_method: "plain" }, "AADSTS9002325"],
      [{ login_hint: "nobody@contoso.test" }, "AADSTS50034"],
    ] as const) {
      const reply = await call(authorizeQuery(extra));
      expect(reply.status).toBe(302);
      const back = redirectOf(reply);
      expect(back.searchParams.get("error")).toBe("invalid_request");
      expect(back.searchParams.get("error_description")).toContain(code);
      expect(back.searchParams.get("code")).toBeNull();
    }
  });

  it("signs in the user named by login_hint", async () => {
    emu.identity.users.addUser({ username: "grace@contoso.test", name: "Grace Hopper" });
    const reply = await call(authorizeQuery({ login_hint: "grace@contoso.test" }));
    const code = redirectOf(reply).searchParams.get("code") as string;
    const token = await call(`/${emu.tenantId}/oauth2/v2.0/token`, {
      form: {
        grant_type: "authorization_code",
        client_id: DEV_CLIENT,
        code,
        redirect_uri: loopback,
        code_verifier: verifier,
      },
    });
    expect(claimsOf(JSON.parse(token.text).id_token)).toMatchObject({
      preferred_username: "grace@contoso.test",
      name: "Grace Hopper",
    });
  });
});

describe("Azure CLI sign-in (AzureCliCredential) with the az stand-in", () => {
  // There is no Azure CLI on test machines: the stand-in answers `az account get-access-token`
  // from the emulator's token endpoint and prints what az prints.
  const withAz = async <T>(loggedIn: boolean, run: () => Promise<T>): Promise<T> => {
    const bin = await mkdtemp(join(dir, "bin-"));
    await writeAzureCliStandIn(bin, {
      authorityHost: emu.authorityHost,
      tenantId: emu.tenantId,
      caFile: emu.caFile,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      loggedIn,
    });
    const path = process.env.PATH;
    process.env.PATH = `${bin}${delimiter}${path ?? ""}`;
    try {
      return await run();
    } finally {
      process.env.PATH = path;
    }
  };

  it("gets a token from `az account get-access-token` and reads a secret with it", async () => {
    await withAz(true, async () => {
      const credential = new AzureCliCredential({ tenantId: emu.tenantId });
      const token = await credential.getToken(SCOPE);
      expect(emu.identity.check(`Bearer ${token.token}`)).toBe("valid");
      expect(token.expiresOnTimestamp).toBeGreaterThan(Date.now());
      expect((await secretClient(credential).getSecret("db-password")).value).toBe("user-visible");
    });
  });

  it("reports an az nobody logged in to as CredentialUnavailableError naming az login", async () => {
    await withAz(false, async () => {
      const failed = await rejection(new AzureCliCredential().getToken(SCOPE));
      expect(failed.name).toBe("CredentialUnavailableError");
      expect(failed.message).toContain("az login");
    });
  });
});
