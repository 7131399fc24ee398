import { createTestContext } from "@vaultlink/testkit";
import { describe, expect, it } from "vitest";
import provider from "../src/index.js";
import {
  connect,
  failureOf,
  fetchAll,
  fetchedValue,
  JWT_KEY,
  OIDC_MEMBERS,
  OTHER_JWT_KEY,
  type Rig,
  req,
  SEED,
  seedOidc,
  signedJwt,
  useRig,
} from "./support.js";

interface BrowserVisit {
  /** The auth URL Vault gave, as printed by the provider. */
  authUrl: URL;
  /** Where the identity provider sent the browser (the loopback callback). */
  redirect: URL;
  /** The loopback server's page. */
  page: Response;
}

/**
 * The person's browser: open the auth URL printed by the provider (the emulator's identity
 * provider page), then follow its redirect to the provider's loopback callback. `tamper` may
 * change the redirect before it is followed, as a forged callback would.
 */
function browser(tamper: (redirect: URL) => URL = (r) => r) {
  const visits: Promise<BrowserVisit>[] = [];
  return {
    visits,
    notify(message: string) {
      const found = /https?:\/\/\S+/.exec(message)?.[0];
      if (!found) throw new Error("the sign-in message has no URL");
      const authUrl = new URL(found);
      visits.push(
        (async () => {
          const idp = await fetch(authUrl, { redirect: "manual" });
          await idp.arrayBuffer();
          expect(idp.status).toBe(302);
          const redirect = tamper(new URL(idp.headers.get("location") ?? ""));
          const page = await fetch(redirect);
          return { authUrl, redirect, page };
        })(),
      );
    },
  };
}

/** An instance of an OIDC integration (role "members", any free loopback port, no browser). */
async function oidcInstance(rig: Rig, extra: Record<string, unknown> = {}) {
  const settings = {
    address: rig.emu.url,
    role: "members",
    callbackPort: 0,
    openBrowser: false,
    ...extra,
  };
  const ctx = createTestContext({
    clock: rig.clock,
    integration: { id: "h", authMethod: "oidc", settings },
  });
  return { ctx, settings, instance: await provider.create(ctx) };
}

describe("sign-in methods", () => {
  const rig = useRig();

  it("userpass signs a member in and the session names them, never the password", async () => {
    const { instance, ctx } = await connect(
      rig,
      "userpass",
      { password: SEED.readerPassword },
      { username: "alice" },
    );
    expect(ctx.session?.identity).toContain("userpass-alice");
    expect(ctx.session?.identity).toContain("reader");
    expect(JSON.stringify(ctx.session?.credentials)).not.toContain(SEED.readerPassword);
    const r = req("secret/app/db#password");
    expect(fetchedValue((await fetchAll(instance, [r])).get(r.id))).toBe(SEED.dbPassword);
    await instance.dispose();
  });

  it("ending the session revokes a token vaultlink logged in for, never one the person gave", async () => {
    const lookup = (token: string) =>
      fetch(`${rig.emu.url}/v1/auth/token/lookup-self`, { headers: { "X-Vault-Token": token } });
    const member = await connect(
      rig,
      "userpass",
      { password: SEED.readerPassword },
      { username: "alice" },
    );
    const loggedIn = String(
      (member.ctx.session?.credentials as { token?: string } | undefined)?.token,
    );
    expect((await lookup(loggedIn)).status).toBe(200);
    expect(await member.instance.endSession?.(new AbortController().signal)).toBe(true);
    expect((await lookup(loggedIn)).status).toBe(403);
    // Again, with the token already gone: ended all the same, no error.
    expect(await member.instance.endSession?.(new AbortController().signal)).toBe(true);
    await member.instance.dispose();

    const given = await connect(rig, "token", { token: rig.emu.rootToken });
    expect(await given.instance.endSession?.(new AbortController().signal)).toBe(false);
    expect((await lookup(rig.emu.rootToken)).status).toBe(200);
    await given.instance.dispose();
  });

  it("a wrong password, token or secret id is AUTH_FAILED without echoing it", async () => {
    await expect(
      connect(rig, "userpass", { password: "wrong-pass-1234" }, { username: "alice" }),
    ).rejects.toMatchObject({
      code: "AUTH_FAILED",
      message: expect.not.stringContaining("wrong-pass-1234"),
    });
    await expect(connect(rig, "token", { token: "hvs.not-a-real-token" })).rejects.toMatchObject({
      code: "AUTH_FAILED",
      message: expect.not.stringContaining("hvs.not-a-real-token"),
    });
    rig.emu.addAppRole({ roleId: "role-a", secretId: "right-secret-id", policies: ["reader"] });
    await expect(
      connect(rig, "approle", { roleId: "role-a", secretId: "wrong-secret-id" }),
    ).rejects.toMatchObject({
      code: "AUTH_FAILED",
      message: expect.stringMatching(/invalid role or secret ID/),
    });
  });

  it("JWT logs in to the role from the team settings with a token the mount's key signed", async () => {
    rig.emu.configureJwtAuth({ jwtValidationPubkeys: [JWT_KEY.publicKeyPem] });
    rig.emu.addJwtRole({
      role: "ci",
      policies: ["reader"],
      ttlSeconds: 900,
      boundAudiences: ["vault"],
    });
    const now = Math.floor(rig.clock.now() / 1000);
    const jwt = signedJwt({ sub: "pipeline-42", aud: "vault", iat: now, exp: now + 300 });
    const { instance, ctx } = await connect(rig, "jwt", { jwt }, { role: "ci" });
    expect(ctx.session?.expiresAt?.getTime()).toBe(rig.clock.now() + 900_000);
    expect(ctx.session?.identity).toContain("jwt-pipeline-42");
    expect(JSON.stringify(ctx.session?.credentials)).not.toContain(jwt);
    expect(rig.emu.requests.count("login.jwt")).toBe(1);
    const r = req("kv/legacy/api#token");
    expect(fetchedValue((await fetchAll(instance, [r])).get(r.id))).toBe(SEED.legacyToken);
    await instance.dispose();
    await expect(connect(rig, "jwt", { jwt })).rejects.toMatchObject({
      code: "AUTH_FAILED",
      message: /role/,
    });
    const forged = signedJwt(
      { sub: "pipeline-42", aud: "vault", iat: now, exp: now + 300 },
      OTHER_JWT_KEY,
    );
    await expect(connect(rig, "jwt", { jwt: forged }, { role: "ci" })).rejects.toMatchObject({
      code: "AUTH_FAILED",
      message: expect.stringMatching(/no known key successfully validated the token signature/),
    });
    const wrongAudience = signedJwt({ sub: "p", aud: "other", iat: now, exp: now + 300 });
    const refused = connect(rig, "jwt", { jwt: wrongAudience }, { role: "ci" });
    await expect(refused).rejects.toMatchObject({
      code: "AUTH_FAILED",
      message: expect.stringMatching(/aud claim does not match any bound audience/),
    });
    await expect(refused).rejects.toMatchObject({
      message: expect.not.stringContaining(wrongAudience),
    });
  });

  it("a bad address setting is refused before any request", async () => {
    const ctx = createTestContext({
      integration: { id: "h", authMethod: "token", settings: { address: "vault.local" } },
    });
    const instance = await provider.create(ctx);
    await expect(
      instance.authenticate({
        method: "token",
        settings: { address: "vault.local" },
        secrets: { token: "x" },
      }),
    ).rejects.toMatchObject({ code: "INVALID_INPUT" });
    await instance.dispose();
  });

  describe("OIDC browser sign-in (loopback callback) against the emulator's OIDC auth method", () => {
    it("asks for the auth URL with a loopback redirect URI, receives code and state, and trades them", async () => {
      seedOidc(rig.emu);
      const person = browser();
      const { ctx, instance, settings } = await oidcInstance(rig);
      const session = await instance.authenticate({
        method: "oidc",
        settings,
        secrets: {},
        notify: person.notify,
      });
      await ctx.saveSession(session);

      expect(person.visits).toHaveLength(1);
      const { authUrl, redirect, page } = (await person.visits[0]) as BrowserVisit;
      expect(authUrl.origin).toBe(rig.emu.url);
      const redirectUri = authUrl.searchParams.get("redirect_uri") ?? "";
      expect(redirectUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/oidc\/callback$/);
      expect(`${redirect.origin}${redirect.pathname}`).toBe(redirectUri);
      expect(redirect.searchParams.get("state")).toBe(authUrl.searchParams.get("state"));
      expect(redirect.searchParams.get("code")).toMatch(/^[0-9a-f]{32}$/);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("Signed in to Vault");

      // The role from the settings decided the policies and TTL; the IdP's user named the token.
      expect(session.expiresAt?.getTime()).toBe(rig.clock.now() + 600_000);
      expect(ctx.session?.identity).toContain(`oidc-${OIDC_MEMBERS.user}`);
      expect(ctx.session?.identity).toContain("reader");
      for (const operation of ["oidc.auth_url", "oidc.authorize", "oidc.callback"]) {
        expect(rig.emu.requests.count(operation)).toBe(1);
      }

      const r = req("secret/app/db#password");
      expect(fetchedValue((await fetchAll(instance, [r])).get(r.id))).toBe(SEED.dbPassword);
      await instance.dispose();
    });

    it("an error from the identity provider is AUTH_FAILED; a redirect with another state is turned away and the sign-in goes on", async () => {
      seedOidc(rig.emu);
      const { instance, settings } = await oidcInstance(rig);
      rig.emu.setOidcSignIn({ deny: true, errorDescription: "not allowed" });
      const refused = browser();
      await expect(
        instance.authenticate({ method: "oidc", settings, secrets: {}, notify: refused.notify }),
      ).rejects.toMatchObject({
        code: "AUTH_FAILED",
        message: expect.stringMatching(/access_denied \(not allowed\)/),
      });
      const denied = (await refused.visits[0]) as BrowserVisit;
      expect(denied.redirect.searchParams.get("code")).toBeNull();
      expect(denied.page.status).toBe(400);
      expect(await denied.page.text()).toContain("Vault sign-in failed");
      expect(rig.emu.requests.count("oidc.callback")).toBe(0);

      // A redirect with another state (a stray tab, a page poking the port) is turned away
      // without reaching Vault, and the sign-in waits on; the real one then finishes it.
      rig.emu.setOidcSignIn({});
      const pages: Array<[number, string]> = [];
      let flow: Promise<void> = Promise.resolve();
      const session = await instance.authenticate({
        method: "oidc",
        settings,
        secrets: {},
        notify(message) {
          const authUrl = /https?:\/\/\S+/.exec(message)?.[0] ?? "";
          flow = (async () => {
            const idp = await fetch(authUrl, { redirect: "manual" });
            await idp.arrayBuffer();
            const real = new URL(idp.headers.get("location") ?? "");
            const forged = new URL(real);
            forged.searchParams.set("state", "forged");
            for (const target of [forged, real]) {
              const page = await fetch(target);
              pages.push([page.status, await page.text()]);
            }
          })();
        },
      });
      await flow;
      expect(session.credentials).toBeDefined();
      expect(pages.map(([status]) => status)).toEqual([400, 200]);
      expect(pages[0]?.[1]).toContain("not the sign-in vaultlink is waiting for");
      expect(rig.emu.requests.count("oidc.callback")).toBe(1);
      await instance.dispose();
    });

    it("a loopback redirect URI the role does not allow gets no auth URL, and no browser opens", async () => {
      seedOidc(rig.emu, { allowedRedirectUris: ["http://127.0.0.1:10545/elsewhere"] });
      const person = browser();
      const { instance, settings } = await oidcInstance(rig);
      await expect(
        instance.authenticate({ method: "oidc", settings, secrets: {}, notify: person.notify }),
      ).rejects.toMatchObject({
        code: "AUTH_FAILED",
        message: expect.stringMatching(/gave no authorization URL/),
        hint: expect.stringMatching(
          /http:\/\/127\.0\.0\.1:\d+\/oidc\/callback is one of the role's allowed_redirect_uris/,
        ),
      });
      expect(person.visits).toHaveLength(0);
      expect(rig.emu.requests.count("oidc.authorize")).toBe(0);

      const { instance: other, settings: otherSettings } = await oidcInstance(rig, {
        role: "nobody",
      });
      await expect(
        other.authenticate({
          method: "oidc",
          settings: otherSettings,
          secrets: {},
          notify: person.notify,
        }),
      ).rejects.toMatchObject({
        code: "AUTH_FAILED",
        message: expect.stringMatching(/role "nobody" could not be found/),
      });
      expect(person.visits).toHaveLength(0);
      await instance.dispose();
      await other.dispose();
    });
  });
});

describe("failure of a fresh instance without a session", () => {
  it("is AUTH_EXPIRED with the reauth hint", async () => {
    const instance = await provider.create(
      createTestContext({
        integration: { id: "h", authMethod: "token", settings: { address: "http://127.0.0.1:1" } },
      }),
    );
    const r = req("secret/app/db#password");
    const failed = failureOf((await fetchAll(instance, [r])).get(r.id));
    expect(failed.code).toBe("AUTH_EXPIRED");
    expect(failed.hint).toMatch(/reauth/);
    await instance.dispose();
  });
});
