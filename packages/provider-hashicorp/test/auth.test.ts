import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createTestContext } from "@vaultlink/testkit";
import { describe, expect, it } from "vitest";
import provider from "../src/index.js";
import { connect, failureOf, fetchAll, type Rig, req, SEED, useRig, valueOf } from "./support.js";

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * The emulator has no OIDC endpoints, so this small front server adds the two that
 * `vault login -method=oidc` uses (auth/<mount>/oidc/auth_url and /oidc/callback) and
 * forwards everything else to the emulator. The callback issues a real emulator token.
 */
async function startOidcFront(rig: Rig) {
  const state = "state-4f1c";
  const code = "code-from-idp-77";
  const seen: {
    redirectUri?: string;
    nonce?: string;
    role?: string;
    callbackQuery?: URLSearchParams;
  } = {};
  const server: Server = createServer(async (request, response) => {
    const url = new URL(request.url ?? "/", "http://front");
    const send = (status: number, payload: unknown) => {
      response
        .writeHead(status, { "content-type": "application/json" })
        .end(JSON.stringify(payload));
    };
    if (url.pathname === "/v1/auth/oidc/oidc/auth_url" && request.method !== "GET") {
      const sent = JSON.parse(await body(request)) as Record<string, string>;
      seen.redirectUri = sent.redirect_uri;
      seen.nonce = sent.client_nonce;
      seen.role = sent.role;
      const authUrl = `https://idp.example/authorize?${new URLSearchParams({ state, redirect_uri: sent.redirect_uri ?? "" })}`;
      return send(200, { data: { auth_url: authUrl } });
    }
    if (url.pathname === "/v1/auth/oidc/oidc/callback" && request.method === "GET") {
      seen.callbackQuery = url.searchParams;
      const ok =
        url.searchParams.get("state") === state &&
        url.searchParams.get("code") === code &&
        url.searchParams.get("client_nonce") === seen.nonce;
      if (!ok) return send(400, { errors: ["invalid state, code or nonce"] });
      const token = rig.emu.createToken({ policies: ["reader"], ttlSeconds: 600, renewable: true });
      return send(200, { auth: { client_token: token, lease_duration: 600, renewable: true } });
    }
    const forwarded = await fetch(`${rig.emu.url}${url.pathname}${url.search}`, {
      method: request.method ?? "GET",
      headers: Object.fromEntries(
        Object.entries(request.headers).filter(
          ([k, v]) => typeof v === "string" && k.startsWith("x-vault"),
        ),
      ) as Record<string, string>,
      ...(request.method === "GET" ? {} : { body: await body(request) }),
    });
    response
      .writeHead(forwarded.status, { "content-type": "application/json" })
      .end(await forwarded.text());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    state,
    code,
    seen,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** What a browser does after the person signs in: follow the IdP's redirect to the loopback. */
function browserFor(answer: (redirectUri: string, state: string) => string) {
  const pages: Promise<Response>[] = [];
  return {
    pages,
    notify(message: string) {
      const authUrl = new URL(/https?:\/\/\S+/.exec(message)?.[0] ?? "");
      const redirect = authUrl.searchParams.get("redirect_uri") ?? "";
      pages.push(fetch(answer(redirect, authUrl.searchParams.get("state") ?? "")));
    },
  };
}

/** An instance of an OIDC integration (role "members", any free loopback port, no browser). */
async function oidcInstance(rig: Rig, address: string) {
  const settings = { address, role: "members", callbackPort: 0, openBrowser: false };
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
    expect(valueOf((await fetchAll(instance, [r])).get(r.id))).toBe(SEED.dbPassword);
    await instance.dispose();
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

  it("JWT logs in to the role from the team settings", async () => {
    rig.emu.addJwtRole({ role: "ci", policies: ["reader"], ttlSeconds: 900 });
    const payload = Buffer.from(JSON.stringify({ sub: "pipeline-42" })).toString("base64url");
    const jwt = `eyJhbGciOiJub25lIn0.${payload}.c2ln`;
    const { instance, ctx } = await connect(rig, "jwt", { jwt }, { role: "ci" });
    expect(ctx.session?.expiresAt?.getTime()).toBe(rig.clock.now() + 900_000);
    expect(rig.emu.requests.count("login.jwt")).toBe(1);
    const r = req("kv/legacy/api#token");
    expect(valueOf((await fetchAll(instance, [r])).get(r.id))).toBe(SEED.legacyToken);
    await instance.dispose();
    await expect(connect(rig, "jwt", { jwt })).rejects.toMatchObject({
      code: "AUTH_FAILED",
      message: /role/,
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

  describe("OIDC browser sign-in (loopback callback; the OIDC endpoints are faked in front of the emulator)", () => {
    it("asks for the auth URL with a loopback redirect URI, receives code and state, and trades them", async () => {
      const front = await startOidcFront(rig);
      try {
        const browser = browserFor(
          (redirect, state) => `${redirect}?${new URLSearchParams({ state, code: front.code })}`,
        );
        const { ctx, instance, settings } = await oidcInstance(rig, front.url);
        const session = await instance.authenticate({
          method: "oidc",
          settings,
          secrets: {},
          notify: browser.notify,
        });
        await ctx.saveSession(session);

        expect(front.seen.role).toBe("members");
        expect(front.seen.redirectUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/oidc\/callback$/);
        expect(front.seen.callbackQuery?.get("code")).toBe(front.code);
        expect(session.expiresAt?.getTime()).toBe(rig.clock.now() + 600_000);
        const page = await browser.pages[0];
        expect(page?.status).toBe(200);
        expect(await page?.text()).toContain("Signed in to Vault");

        const r = req("secret/app/db#password");
        expect(valueOf((await fetchAll(instance, [r])).get(r.id))).toBe(SEED.dbPassword);
        await instance.dispose();
      } finally {
        await front.stop();
      }
    });

    it("an error from the identity provider is AUTH_FAILED, and a wrong state is refused by Vault", async () => {
      const front = await startOidcFront(rig);
      try {
        const { instance, settings } = await oidcInstance(rig, front.url);
        const refused = browserFor(
          (redirect) => `${redirect}?error=access_denied&error_description=not+allowed`,
        );
        await expect(
          instance.authenticate({ method: "oidc", settings, secrets: {}, notify: refused.notify }),
        ).rejects.toMatchObject({
          code: "AUTH_FAILED",
          message: expect.stringMatching(/access_denied/),
        });
        expect((await refused.pages[0])?.status).toBe(400);

        const forged = browserFor((redirect) => `${redirect}?state=forged&code=${front.code}`);
        await expect(
          instance.authenticate({ method: "oidc", settings, secrets: {}, notify: forged.notify }),
        ).rejects.toMatchObject({
          code: "AUTH_FAILED",
          message: expect.stringMatching(/invalid state/),
        });
        await instance.dispose();
      } finally {
        await front.stop();
      }
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
