import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import {
  ClientSecretCredential,
  DeviceCodeCredential,
  type DeviceCodeInfo,
  InteractiveBrowserCredential,
} from "@azure/identity";
import { describe, expect, it } from "vitest";
import { CONSUMERS_TENANT_ID, DEFAULT_USER, s256 } from "../src/index.js";
import {
  authorityOptions,
  CLIENT_ID,
  CLIENT_SECRET,
  call,
  claimsOf,
  DEV_CLIENT,
  emu,
  pkceAuthorizeParams,
  type Reply,
  rejection,
  SCOPE,
  secretClient,
  useUserSignInEmulator,
  withBrowserStandIn,
} from "./azure-users-support.js";
import { unsignedJwt } from "./jwt.js";

/**
 * Entra ID's multi-tenant authorities at the emulated authority: `organizations` and `common`
 * for the flows a user signs in to (device code, authorization code + PKCE), with tokens from
 * the user's home tenant; `consumers` refused to the directory's work accounts; and the app-only
 * grants refused at `organizations` and `common`, which name no tenant for an app.
 */

useUserSignInEmulator({
  vaultName: "kv-authorities",
  secretValue: "any-tenant-value",
  dirPrefix: "vaultlink-emu-authorities-",
});

/** What a user sign-in needs to reach the emulator; the tenant is left to the caller. */
const host = () => ({
  ...authorityOptions(),
  // The vault's challenge names the emulator's tenant, not the alias signed in at.
  additionallyAllowedTenants: ["*"],
});

const json = (reply: Reply) => JSON.parse(reply.text) as Record<string, unknown>;
const clientInfoOf = (value: string) =>
  JSON.parse(Buffer.from(value, "base64url").toString("utf8"));

/** Wait until the device-code client has polled while pending, then approve the code. */
async function approveOncePolled(userCode: string): Promise<void> {
  for (;;) {
    const status = emu.identity.users.deviceStatus(userCode);
    if (status.polls >= 1) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  emu.approveDeviceCode(userCode);
}

describe("discovery for the multi-tenant authorities", () => {
  it("serves organizations and common with their own endpoints and a {tenantid} issuer", async () => {
    for (const alias of ["organizations", "common", "Organizations"]) {
      const reply = await call(`/${alias}/v2.0/.well-known/openid-configuration`);
      expect(reply.status).toBe(200);
      const segment = alias.toLowerCase();
      expect(json(reply)).toMatchObject({
        issuer: `${emu.url}/{tenantid}/v2.0`,
        token_endpoint: `${emu.url}/${segment}/oauth2/v2.0/token`,
        authorization_endpoint: `${emu.url}/${segment}/oauth2/v2.0/authorize`,
        device_authorization_endpoint: `${emu.url}/${segment}/oauth2/v2.0/devicecode`,
      });
    }
    const own = json(await call(`/${emu.tenantId}/v2.0/.well-known/openid-configuration`));
    expect(own.issuer).toBe(`${emu.url}/${emu.tenantId}/v2.0`);
  });

  it("names the personal-account tenant as the consumers issuer, and knows no other tenant", async () => {
    const consumers = json(await call("/consumers/v2.0/.well-known/openid-configuration"));
    expect(consumers).toMatchObject({
      issuer: `${emu.url}/${CONSUMERS_TENANT_ID}/v2.0`,
      token_endpoint: `${emu.url}/consumers/oauth2/v2.0/token`,
    });
    const other = await call("/contoso.test/v2.0/.well-known/openid-configuration");
    expect(other.status).toBe(400);
    expect(json(other)).toMatchObject({ error_codes: [90002] });
  });

  it("points instance discovery at common's document, which answers", async () => {
    const discovery = json(await call("/common/discovery/instance?api-version=1.1"));
    const target = new URL(String(discovery.tenant_discovery_endpoint));
    expect((await call(target.pathname)).status).toBe(200);
  });
});

describe("device code at organizations and common", () => {
  it("signs in with DeviceCodeCredential's own default tenant (organizations) and reads a secret", async () => {
    let userCode = "";
    const credential = new DeviceCodeCredential({
      ...host(),
      userPromptCallback: (info: DeviceCodeInfo) => {
        userCode = info.userCode;
        void approveOncePolled(info.userCode);
      },
    });
    const record = await credential.authenticate(SCOPE, { enableCae: true });
    // Asked for at organizations, the account belongs to its home tenant all the same.
    expect(emu.identity.users.deviceStatus(userCode)).toMatchObject({
      authority: "organizations",
      status: "redeemed",
    });
    expect(record).toMatchObject({ username: DEFAULT_USER.username, tenantId: emu.tenantId });
    expect((await secretClient(credential).getSecret("db-password")).value).toBe(
      "any-tenant-value",
    );
    expect(emu.requests.count("token.devicecode")).toBe(1);
  });

  it("issues tokens at common whose tid, issuer and client_info name the home tenant", async () => {
    const started = json(
      await call("/common/oauth2/v2.0/devicecode", {
        form: { client_id: DEV_CLIENT, scope: `${SCOPE} openid profile offline_access` },
      }),
    );
    emu.approveDeviceCode(String(started.user_code));
    const granted = json(
      await call("/common/oauth2/v2.0/token", {
        form: {
          grant_type: "urn:ietf:params:oauth:grant-type:device_code",
          client_id: DEV_CLIENT,
          device_code: String(started.device_code),
        },
      }),
    );
    expect(claimsOf(String(granted.id_token))).toMatchObject({
      tid: emu.tenantId,
      iss: `${emu.url}/${emu.tenantId}/v2.0`,
      preferred_username: DEFAULT_USER.username,
    });
    expect(clientInfoOf(String(granted.client_info))).toEqual({
      uid: DEFAULT_USER.objectId,
      utid: emu.tenantId,
    });
    expect(emu.identity.check(`Bearer ${granted.access_token}`)).toBe("valid");
  });
});

describe("authorization code + PKCE at organizations and common", () => {
  it("signs in through the browser stand-in at common and reads a secret", async () => {
    await withBrowserStandIn(async (logFile) => {
      const credential = new InteractiveBrowserCredential({ ...host(), tenantId: "common" });
      const record = await credential.authenticate(SCOPE, { enableCae: true });
      expect(record).toMatchObject({ username: DEFAULT_USER.username, tenantId: emu.tenantId });
      const hops = (await readFile(logFile, "utf8")).trim().split("\n");
      expect(hops[0]).toBe(`200 ${emu.url}/common/oauth2/v2.0/authorize`);
      expect(hops.at(-1)).toMatch(/^200 http:\/\/localhost:\d+\/$/);
      expect((await secretClient(credential).getSecret("db-password")).value).toBe(
        "any-tenant-value",
      );
    });
  });

  it("hands back client_info for the home tenant at organizations and redeems the code there", async () => {
    const verifier = randomBytes(32).toString("base64url");
    const loopback = "http://localhost:53220";
    const query = new URLSearchParams({
      ...pkceAuthorizeParams(verifier, loopback),
      client_info: "1",
    });
    const reply = await call(`/organizations/oauth2/v2.0/authorize?${query}`);
    expect(reply.status).toBe(302);
    const back = new URL(String(reply.headers.location));
    expect(clientInfoOf(back.searchParams.get("client_info") as string)).toMatchObject({
      utid: emu.tenantId,
    });
    const token = json(
      await call("/organizations/oauth2/v2.0/token", {
        form: {
          grant_type: "authorization_code",
          client_id: DEV_CLIENT,
          code: back.searchParams.get("code") as string,
          redirect_uri: loopback,
          code_verifier: verifier,
        },
      }),
    );
    expect(claimsOf(String(token.id_token))).toMatchObject({ tid: emu.tenantId });
  });
});

describe("consumers", () => {
  it("refuses the directory's work-account apps with AADSTS9002332, on every endpoint", async () => {
    const device = await call("/consumers/oauth2/v2.0/devicecode", {
      form: { client_id: DEV_CLIENT, scope: SCOPE },
    });
    expect(device.status).toBe(400);
    expect(json(device)).toMatchObject({ error: "invalid_request", error_codes: [9002332] });

    const query = new URLSearchParams({
      client_id: DEV_CLIENT,
      response_type: "code",
      redirect_uri: "http://localhost:53221",
      scope: SCOPE,
      code_challenge: s256("v".repeat(43)),
      code_challenge_method: "S256",
    });
    const page = await call(`/consumers/oauth2/v2.0/authorize?${query}`);
    expect(page.status).toBe(400);
    expect(page.text).toContain("AADSTS9002332");

    const token = await call("/consumers/oauth2/v2.0/token", {
      form: { grant_type: "device_code", client_id: DEV_CLIENT, device_code: "anything" },
    });
    expect(json(token)).toMatchObject({ error_codes: [9002332] });
  });

  it("fails DeviceCodeCredential at consumers, though MSAL keeps only the error's name", async () => {
    // msal-node does not look at the device-code endpoint's error: it calls back with an empty
    // code and polls the token endpoint, whose error it reports as `post_request_failed:
    // <error>` without the AADSTS description. Entra ID's answers go the same way.
    const prompts: DeviceCodeInfo[] = [];
    const credential = new DeviceCodeCredential({
      ...host(),
      tenantId: "consumers",
      userPromptCallback: (info) => {
        prompts.push(info);
      },
    });
    const failed = await rejection(credential.authenticate(SCOPE));
    expect(failed.message).toContain("invalid_request");
    expect(prompts.map((p) => p.userCode)).toEqual([undefined]);
    expect(emu.requests.count("token.devicecode")).toBe(1);
    expect(emu.requests.count("token.aad")).toBe(1);
  });
});

describe("app-only grants at organizations and common", () => {
  it("refuses a client secret and a client assertion with AADSTS50059 (no tenant to sign in to)", async () => {
    for (const alias of ["organizations", "common"]) {
      const secret = await call(`/${alias}/oauth2/v2.0/token`, {
        form: {
          grant_type: "client_credentials",
          client_id: CLIENT_ID,
          client_secret: CLIENT_SECRET,
          scope: SCOPE,
        },
      });
      expect(secret.status).toBe(400);
      expect(json(secret)).toMatchObject({ error: "invalid_request", error_codes: [50059] });
      expect(secret.text).not.toContain(CLIENT_SECRET);

      const assertion = await call(`/${alias}/oauth2/v2.0/token`, {
        form: {
          grant_type: "client_credentials",
          client_id: CLIENT_ID,
          client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
          client_assertion: unsignedJwt({ iss: "https://issuer.test", sub: "workload" }),
          scope: SCOPE,
        },
      });
      expect(json(assertion)).toMatchObject({ error_codes: [50059] });
    }
    // The same secret at the tenant's own endpoint is fine.
    const own = await call(`/${emu.tenantId}/oauth2/v2.0/token`, {
      form: {
        grant_type: "client_credentials",
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        scope: SCOPE,
      },
    });
    expect(own.status).toBe(200);
  });

  it("is refused by MSAL itself through ClientSecretCredential, before any request is sent", async () => {
    // msal-node's acquireTokenByClientCredential throws missing_tenant_id_error for an
    // organizations/common/consumers authority, so the emulator's AADSTS50059 is reachable only
    // over raw HTTP (above). This pins that: if MSAL ever sends the request, the test says so.
    const credential = new ClientSecretCredential(
      "organizations",
      CLIENT_ID,
      CLIENT_SECRET,
      authorityOptions(),
    );
    const failed = await rejection(credential.getToken(SCOPE));
    expect(failed.message).toContain("missing_tenant_id_error");
    expect(failed.message).not.toContain(CLIENT_SECRET);
    expect(emu.requests.count("token.aad")).toBe(0);
  });
});
