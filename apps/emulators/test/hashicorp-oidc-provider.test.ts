import { execFile } from "node:child_process";
import { createHash, createPublicKey, randomBytes, verify } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { signInAtVaultUi, writeVaultBrowserStandIn } from "../src/index.js";
import { apiError, emulator, useFrozenEmulator, vaultClient } from "./hashicorp-support.js";

const REDIRECTS = ["http://127.0.0.1:10545/", "http://127.0.0.1:10534/"];
const POLICY_NAME = "postman-integration-policy";

const SUPER_ADMIN = `
path "sys/auth" { capabilities = ["read"] }
path "sys/auth/*" { capabilities = ["create", "update", "read", "sudo"] }
path "sys/policy/*" { capabilities = ["create", "update", "read"] }
path "identity/oidc/*" { capabilities = ["create", "read", "update", "list"] }
path "identity/entity/*" { capabilities = ["read", "list"] }
path "auth/*" { capabilities = ["create", "read", "update", "list"] }
`;

/** A PKCE pair: a 43-character verifier and its S256 challenge. */
function pkce() {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

interface Setup {
  clientId: string;
  issuer: string;
  superAdmin: ReturnType<typeof vaultClient>;
}

/**
 * What Postman's setup script does, with a super admin's token (not root): a public client with
 * the two loopback redirect URIs, a provider allowing it, a JWT auth method whose discovery URL
 * is that provider, a read policy and the `postman` role. Plus a userpass member.
 */
async function postmanSetup(): Promise<Setup> {
  const root = vaultClient(emulator, { token: emulator.rootToken });
  await root.write("sys/policy/vault-super-admin", { policy: SUPER_ADMIN });
  const token = (await root.write("auth/token/create", { policies: ["vault-super-admin"] })).auth
    .client_token as string;
  const superAdmin = vaultClient(emulator, { token });
  await superAdmin.write("identity/oidc/client/postman-integration-client", {
    redirect_uris: REDIRECTS,
    assignments: ["allow_all"],
    client_type: "public",
  });
  const client = await superAdmin.read("identity/oidc/client/postman-integration-client");
  const clientId = client.data.client_id as string;
  await superAdmin.write("identity/oidc/provider/postman-provider", {
    allowed_client_ids: [clientId],
    issuer: emulator.url,
  });
  const issuer = (await superAdmin.read("identity/oidc/provider/postman-provider")).data
    .issuer as string;
  await superAdmin.write("sys/auth/postman-jwt", { type: "jwt" });
  await superAdmin.write(`sys/policy/${POLICY_NAME}`, {
    policy:
      'path "secret/data/*" { capabilities = ["read"] }\npath "sys/*" { capabilities = ["deny"] }',
  });
  await superAdmin.write("auth/postman-jwt/config", {
    oidc_discovery_url: issuer,
    default_role: "postman",
  });
  await superAdmin.write("auth/postman-jwt/role/postman", {
    role_type: "jwt",
    bound_audiences: [clientId],
    user_claim: "sub",
    token_policies: [POLICY_NAME],
    token_ttl: "1h",
  });
  await superAdmin.write("auth/userpass/users/maria", { password: "maria-pw", token_policies: [] });
  return { clientId, issuer, superAdmin };
}

async function discovery(issuer: string) {
  const response = await fetch(`${issuer}/.well-known/openid-configuration`);
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, string>;
}

function authorizeUrl(endpoint: string, params: Record<string, string>): string {
  const url = new URL(endpoint);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}

async function exchange(tokenEndpoint: string, params: Record<string, string>) {
  const response = await fetch(tokenEndpoint, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(params).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function decode(jwt: string) {
  const [head, payload] = jwt.split(".") as [string, string];
  return {
    header: JSON.parse(Buffer.from(head, "base64url").toString()) as Record<string, string>,
    claims: JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<string, unknown>,
  };
}

/** The browser leg: authorize → sign in → code; then the code for an ID token. */
async function signIn(setup: Setup, login = { username: "maria", password: "maria-pw" }) {
  const doc = await discovery(setup.issuer);
  const { verifier, challenge } = pkce();
  const state = randomBytes(8).toString("hex");
  const nonce = randomBytes(8).toString("hex");
  const url = authorizeUrl(doc.authorization_endpoint as string, {
    response_type: "code",
    client_id: setup.clientId,
    redirect_uri: REDIRECTS[0] as string,
    scope: "openid",
    state,
    nonce,
    code_challenge: challenge,
    code_challenge_method: "S256",
  });
  const ui = await signInAtVaultUi(url, login);
  expect(ui.status).toBe(302);
  const back = new URL(ui.location as string);
  expect(`${back.origin}/`).toBe(REDIRECTS[0]);
  expect(back.searchParams.get("state")).toBe(state);
  const code = back.searchParams.get("code") as string;
  const tokens = await exchange(doc.token_endpoint as string, {
    grant_type: "authorization_code",
    code,
    redirect_uri: REDIRECTS[0] as string,
    client_id: setup.clientId,
    code_verifier: verifier,
  });
  expect(tokens.status).toBe(200);
  return { doc, code, nonce, verifier, tokens: tokens.body };
}

useFrozenEmulator(() => {
  emulator.writeKv("secret", "app/db", { pass: "pw" });
});

describe("Vault emulator: Vault as an OIDC provider, and JWT login with its ID tokens", () => {
  it("Postman's flow: setup, browser sign-in with PKCE, code exchange, JWT login, read", async () => {
    const setup = await postmanSetup();
    expect(setup.clientId).toMatch(/^[0-9A-Za-z]{32}$/);
    expect(setup.issuer).toBe(`${emulator.url}/v1/identity/oidc/provider/postman-provider`);
    const { doc, nonce, tokens } = await signIn(setup);
    expect(doc).toMatchObject({
      issuer: setup.issuer,
      jwks_uri: `${setup.issuer}/.well-known/keys`,
      authorization_endpoint: `${emulator.url}/ui/vault/identity/oidc/provider/postman-provider/authorize`,
      token_endpoint: `${setup.issuer}/token`,
      code_challenge_methods_supported: ["plain", "S256"],
    });
    expect(tokens).toMatchObject({ token_type: "Bearer", expires_in: 86400 });

    // The ID token: signed by a key the provider publishes; aud = client id; sub = the entity.
    const idToken = tokens.id_token as string;
    const { header, claims } = decode(idToken);
    const jwks = (await (await fetch(doc.jwks_uri as string)).json()) as {
      keys: Record<string, string>[];
    };
    const jwk = jwks.keys.find((k) => k.kid === header.kid);
    expect(jwk).toMatchObject({ use: "sig", alg: "RS256", kty: "RSA" });
    const [head, payload, signature] = idToken.split(".") as [string, string, string];
    const key = createPublicKey({ key: jwk as never, format: "jwk" });
    expect(
      verify("sha256", Buffer.from(`${head}.${payload}`), key, Buffer.from(signature, "base64url")),
    ).toBe(true);
    const maria = await vaultClient(emulator).userpassLogin({
      username: "maria",
      password: "maria-pw",
    });
    expect(claims).toMatchObject({
      iss: setup.issuer,
      aud: setup.clientId,
      sub: maria.auth.entity_id,
      nonce,
      namespace: "root",
    });
    expect(maria.auth.entity_id).toMatch(/^[0-9a-f-]{36}$/);

    // userinfo with the access token.
    const info = await fetch(doc.userinfo_endpoint as string, {
      headers: { authorization: `Bearer ${tokens.access_token as string}` },
    });
    expect(await info.json()).toEqual({ sub: maria.auth.entity_id });

    // JWT login at postman-jwt with the role: the member gets the read policy.
    const member = vaultClient(emulator);
    const login = await member.jwtLogin({
      mount_point: "postman-jwt",
      role: "postman",
      jwt: idToken,
    });
    expect(login.auth.policies).toEqual(["default", POLICY_NAME]);
    expect(login.auth.lease_duration).toBe(3600);
    expect((await member.read("secret/data/app/db")).data.data).toEqual({ pass: "pw" });
    await apiError(member.write("secret/data/app/db", { data: { pass: "x" } }), 403);
    await apiError(member.read("sys/auth"), 403);
    // default_role: the role may be left out.
    const again = await vaultClient(emulator).write("auth/postman-jwt/login", { jwt: idToken });
    expect(again.auth.metadata).toEqual({ role: "postman" });
    expect(emulator.requests.count("oidc-provider.token")).toBe(1);
  });

  it("the authorization endpoint itself answers JSON for a token with an entity, as Vault does", async () => {
    const setup = await postmanSetup();
    const maria = vaultClient(emulator);
    await maria.userpassLogin({ username: "maria", password: "maria-pw" });
    const { challenge } = pkce();
    const query = new URLSearchParams({
      response_type: "code",
      client_id: setup.clientId,
      redirect_uri: "http://127.0.0.1:49152/", // a loopback URI matches whatever its port
      scope: "openid",
      state: "s1",
      code_challenge: challenge,
      code_challenge_method: "S256",
    });
    const answer = await fetch(`${setup.issuer}/authorize?${query}`, {
      headers: { "x-vault-token": maria.token },
    });
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as Record<string, string>;
    expect(body.state).toBe("s1");
    expect(body.code).toMatch(/^[0-9A-Za-z]{32}$/);

    // No token: 403; a token without an entity (auth/token/create): access_denied.
    expect((await fetch(`${setup.issuer}/authorize?${query}`)).status).toBe(403);
    const orphan = (
      await vaultClient(emulator, { token: emulator.rootToken }).write("auth/token/create", {})
    ).auth.client_token as string;
    const noEntity = await fetch(`${setup.issuer}/authorize?${query}`, {
      headers: { "x-vault-token": orphan },
    });
    expect(noEntity.status).toBe(400);
    expect(await noEntity.json()).toEqual({
      error: "access_denied",
      error_description: "identity entity must be associated with the request",
      state: "s1",
    });
    // A public client must use PKCE.
    query.delete("code_challenge");
    const noPkce = await fetch(`${setup.issuer}/authorize?${query}`, {
      headers: { "x-vault-token": maria.token },
    });
    expect(await noPkce.json()).toMatchObject({
      error: "invalid_request",
      error_description: "PKCE is required for public clients",
    });
  });

  it("refuses a wrong verifier, a reused code, another redirect URI and bad clients", async () => {
    const setup = await postmanSetup();
    const first = await signIn(setup);
    const reuse = await exchange(first.doc.token_endpoint as string, {
      grant_type: "authorization_code",
      code: first.code,
      redirect_uri: REDIRECTS[0] as string,
      client_id: setup.clientId,
      code_verifier: first.verifier,
    });
    expect(reuse).toEqual({
      status: 400,
      body: {
        error: "invalid_grant",
        error_description: "authorization grant is invalid or expired",
      },
    });

    const doc = first.doc;
    const { challenge } = pkce();
    const base = {
      response_type: "code",
      client_id: setup.clientId,
      redirect_uri: REDIRECTS[1] as string,
      scope: "openid",
      state: "st",
      code_challenge: challenge,
      code_challenge_method: "S256",
    };
    const ui = await signInAtVaultUi(authorizeUrl(doc.authorization_endpoint as string, base), {
      username: "maria",
      password: "maria-pw",
    });
    const code = new URL(ui.location as string).searchParams.get("code") as string;
    const wrong = await exchange(doc.token_endpoint as string, {
      grant_type: "authorization_code",
      code,
      redirect_uri: REDIRECTS[1] as string,
      client_id: setup.clientId,
      code_verifier: pkce().verifier,
    });
    expect(wrong.body).toEqual({
      error: "invalid_grant",
      error_description: "invalid code_verifier for token exchange",
    });

    // An unregistered redirect URI or unknown client: an error page, never a redirect.
    for (const params of [
      { ...base, redirect_uri: "https://evil.example/cb" },
      { ...base, client_id: "nope" },
    ]) {
      const page = await signInAtVaultUi(
        authorizeUrl(doc.authorization_endpoint as string, params),
        {
          username: "maria",
          password: "maria-pw",
        },
      );
      expect(page.status).toBe(400);
      expect(page.location).toBeUndefined();
    }
    // Other errors go back to the client's redirect URI.
    const noOpenid = await signInAtVaultUi(
      authorizeUrl(doc.authorization_endpoint as string, { ...base, scope: "profile" }),
      { username: "maria", password: "maria-pw" },
    );
    const back = new URL(noOpenid.location as string);
    expect(back.searchParams.get("error")).toBe("invalid_request");
    expect(back.searchParams.get("state")).toBe("st");
    // A wrong password shows the form again.
    const badPassword = await signInAtVaultUi(
      authorizeUrl(doc.authorization_endpoint as string, base),
      {
        username: "maria",
        password: "nope",
      },
    );
    expect(badPassword.status).toBe(400);
    expect(badPassword.body).toContain("invalid username or password");
    expect(badPassword.body).not.toContain("nope");
  });

  it("a code is good for 5 minutes of the emulator's clock; userinfo needs a live access token", async () => {
    const setup = await postmanSetup();
    const doc = await discovery(setup.issuer);
    const { verifier, challenge } = pkce();
    const params = {
      response_type: "code",
      client_id: setup.clientId,
      redirect_uri: REDIRECTS[0] as string,
      scope: "openid",
      state: "late",
      code_challenge: challenge,
      code_challenge_method: "S256",
    };
    const ui = await signInAtVaultUi(authorizeUrl(doc.authorization_endpoint as string, params), {
      username: "maria",
      password: "maria-pw",
    });
    const code = new URL(ui.location as string).searchParams.get("code") as string;
    emulator.advanceClock(5 * 60_000);
    const late = await exchange(doc.token_endpoint as string, {
      grant_type: "authorization_code",
      code,
      redirect_uri: REDIRECTS[0] as string,
      client_id: setup.clientId,
      code_verifier: verifier,
    });
    expect(late.body.error).toBe("invalid_grant");
    const { tokens } = await signIn(setup);
    const bearer = { authorization: `Bearer ${tokens.access_token as string}` };
    expect((await fetch(doc.userinfo_endpoint as string, { headers: bearer })).status).toBe(200);
    expect((await fetch(doc.userinfo_endpoint as string)).status).toBe(401);
    emulator.advanceClock(24 * 3600_000);
    const expired = await fetch(doc.userinfo_endpoint as string, { headers: bearer });
    expect(expired.status).toBe(401);
    expect(await expired.json()).toEqual({
      error: "invalid_token",
      error_description: "access token is expired",
    });
  });

  it("an assignment by entity id lets only that member through the client", async () => {
    const setup = await postmanSetup();
    const sa = setup.superAdmin;
    await sa.write("auth/userpass/users/olek", { password: "olek-pw" });
    const maria = await vaultClient(emulator).userpassLogin({
      username: "maria",
      password: "maria-pw",
    });
    const entity = await sa.read(`identity/entity/id/${maria.auth.entity_id}`);
    expect(entity.data).toMatchObject({ id: maria.auth.entity_id, disabled: false });
    expect(entity.data.aliases).toEqual([
      expect.objectContaining({ name: "maria", mount_path: "auth/userpass/" }),
    ]);
    expect((await sa.read(`identity/entity/name/${entity.data.name}`)).data.id).toBe(
      maria.auth.entity_id,
    );
    await sa.write("identity/oidc/assignment/only-maria", { entity_ids: [maria.auth.entity_id] });
    await sa.write("identity/oidc/client/postman-integration-client", {
      assignments: ["only-maria"],
    });

    const doc = await discovery(setup.issuer);
    const { challenge } = pkce();
    const url = authorizeUrl(doc.authorization_endpoint as string, {
      response_type: "code",
      client_id: setup.clientId,
      redirect_uri: REDIRECTS[0] as string,
      scope: "openid",
      state: "who",
      code_challenge: challenge,
      code_challenge_method: "S256",
    });
    const olek = await signInAtVaultUi(url, { username: "olek", password: "olek-pw" });
    const refused = new URL(olek.location as string);
    expect(refused.searchParams.get("error")).toBe("access_denied");
    expect(refused.searchParams.get("error_description")).toBe(
      "identity entity not authorized by client assignment",
    );
    expect(refused.searchParams.get("code")).toBeNull();
    const allowed = await signInAtVaultUi(url, { username: "maria", password: "maria-pw" });
    expect(new URL(allowed.location as string).searchParams.get("code")).toMatch(
      /^[0-9A-Za-z]{32}$/,
    );
  });

  it("a confidential client authenticates with its secret (Basic or form); PKCE is optional", async () => {
    const setup = await postmanSetup();
    const sa = setup.superAdmin;
    await sa.write("identity/oidc/client/backend", {
      redirect_uris: ["https://app.example/cb"],
      assignments: ["allow_all"],
    });
    const client = (await sa.read("identity/oidc/client/backend")).data;
    expect(client.client_type).toBe("confidential");
    expect(client.client_secret).toMatch(/^hvo_secret_[0-9A-Za-z]{64}$/);
    await sa.write("identity/oidc/provider/postman-provider", {
      allowed_client_ids: [setup.clientId, client.client_id],
    });
    const maria = vaultClient(emulator);
    await maria.userpassLogin({ username: "maria", password: "maria-pw" });
    const code = async () => {
      const query = new URLSearchParams({
        response_type: "code",
        client_id: client.client_id,
        redirect_uri: "https://app.example/cb",
        scope: "openid",
        state: "c",
      });
      const answer = await fetch(`${setup.issuer}/authorize?${query}`, {
        headers: { "x-vault-token": maria.token },
      });
      return ((await answer.json()) as { code: string }).code;
    };
    const basic = (secret: string) =>
      `Basic ${Buffer.from(`${client.client_id}:${secret}`).toString("base64")}`;
    const form = (c: string) =>
      new URLSearchParams({
        grant_type: "authorization_code",
        code: c,
        redirect_uri: "https://app.example/cb",
      }).toString();
    const wrong = await fetch(`${setup.issuer}/token`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: basic("nope"),
      },
      body: form(await code()),
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("www-authenticate")).toBe("Basic");
    expect(await wrong.json()).toEqual({
      error: "invalid_client",
      error_description: "client failed to authenticate",
    });
    const right = await fetch(`${setup.issuer}/token`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: basic(client.client_secret),
      },
      body: form(await code()),
    });
    expect(right.status).toBe(200);
    expect(right.headers.get("cache-control")).toBe("no-store");
    const posted = await exchange(`${setup.issuer}/token`, {
      grant_type: "authorization_code",
      code: await code(),
      redirect_uri: "https://app.example/cb",
      client_id: client.client_id,
      client_secret: client.client_secret,
    });
    expect(posted.status).toBe(200);
    expect(decode(posted.body.id_token as string).claims.aud).toBe(client.client_id);
  });

  it("JWT login refuses tokens for another audience, from another issuer, or tampered", async () => {
    const setup = await postmanSetup();
    const { tokens } = await signIn(setup);
    const idToken = tokens.id_token as string;
    await setup.superAdmin.write("auth/postman-jwt/role/other", {
      role_type: "jwt",
      bound_audiences: ["someone-else"],
      user_claim: "sub",
    });
    const login = (role: string, jwt: string) =>
      apiError(vaultClient(emulator).jwtLogin({ mount_point: "postman-jwt", role, jwt }), 400);
    expect((await login("other", idToken)).message).toBe(
      "error validating claims: aud claim does not match any bound audience",
    );
    const [head, payload, signature] = idToken.split(".") as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: "someone" })).toString("base64url");
    expect((await login("postman", `${head}.${forged}.${signature}`)).message).toBe(
      "error validating token: failed to verify id token signature",
    );
    const elsewhere = Buffer.from(
      JSON.stringify({ ...claims, iss: "https://evil.example" }),
    ).toString("base64url");
    expect((await login("postman", `${head}.${elsewhere}.${signature}`)).message).toMatch(
      /^error validating token: oidc: id token issued by a different provider/,
    );
    emulator.advanceClock(25 * 3600 * 1000);
    expect((await login("postman", idToken)).message).toBe(
      "error validating claims: go-jose/go-jose/jwt: validation failed, token is expired (exp)",
    );
  });

  it("config and role are validated and read back as Vault does", async () => {
    const setup = await postmanSetup();
    const sa = setup.superAdmin;
    const config = await sa.read("auth/postman-jwt/config");
    expect(config.data).toMatchObject({
      oidc_discovery_url: setup.issuer,
      default_role: "postman",
    });
    const role = await sa.read("auth/postman-jwt/role/postman");
    expect(role.data).toMatchObject({
      role_type: "jwt",
      bound_audiences: [setup.clientId],
      user_claim: "sub",
      token_policies: [POLICY_NAME],
      token_ttl: 3600,
    });
    const notAnIssuer = await apiError(
      sa.write("auth/postman-jwt/config", {
        oidc_discovery_url: `${emulator.url}/v1/identity/oidc/provider/nope`,
      }),
      400,
    );
    expect(notAnIssuer.message).toMatch(/^error checking oidc discovery URL: /);
    const none = await apiError(sa.write("auth/postman-jwt/config", { default_role: "x" }), 400);
    expect(none.message).toBe(
      "exactly one of 'jwt_validation_pubkeys', 'jwks_url' or 'oidc_discovery_url' must be set",
    );
    const unbound = await apiError(
      sa.write("auth/postman-jwt/role/loose", { role_type: "jwt", user_claim: "sub" }),
      400,
    );
    expect(unbound.message).toBe(
      "must have at least one bound constraint when creating/updating a role",
    );
    await apiError(sa.write("identity/oidc/client/x", { assignments: ["missing"] }), 400);
    await apiError(sa.write("identity/oidc/provider/p", { issuer: "http://host:1/path" }), 400);
    await apiError(sa.write("identity/oidc/provider/p", { scopes_supported: ["nope"] }), 400);
    expect(
      (await sa.list("identity/oidc/client")).data.key_info["postman-integration-client"],
    ).toMatchObject({
      client_type: "public",
      redirect_uris: REDIRECTS,
      assignments: ["allow_all"],
      key: "default",
    });
    // A public client has no secret.
    expect(
      (await sa.read("identity/oidc/client/postman-integration-client")).data.client_secret,
    ).toBeUndefined();
    // Member tokens cannot manage any of it.
    const maria = vaultClient(emulator);
    await maria.userpassLogin({ username: "maria", password: "maria-pw" });
    await apiError(maria.write("identity/oidc/client/mine", { redirect_uris: REDIRECTS }), 403);
    await apiError(maria.read("auth/postman-jwt/config"), 403);
  });

  it("the browser stand-in signs in on the UI page and lands on the loopback listener", async () => {
    const setup = await postmanSetup();
    const doc = await discovery(setup.issuer);
    const received: string[] = [];
    const listener = http.createServer((req, res) => {
      received.push(req.url ?? "");
      res.end("You can close this tab.");
    });
    await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
    const port = (listener.address() as AddressInfo).port;
    const dir = await mkdtemp(join(tmpdir(), "vault-browser-"));
    try {
      const logFile = join(dir, "browser.log");
      const browser = await writeVaultBrowserStandIn(
        dir,
        { username: "maria", password: "maria-pw" },
        { logFile },
      );
      const { challenge } = pkce();
      const url = authorizeUrl(doc.authorization_endpoint as string, {
        response_type: "code",
        client_id: setup.clientId,
        redirect_uri: `http://127.0.0.1:${port}/`,
        scope: "openid",
        state: "from-cli",
        code_challenge: challenge,
        code_challenge_method: "S256",
      });
      await promisify(execFile)(browser, [url]);
      expect(received).toHaveLength(1);
      const back = new URL(received[0] as string, `http://127.0.0.1:${port}`);
      expect(back.searchParams.get("state")).toBe("from-cli");
      expect(back.searchParams.get("code")).toMatch(/^[0-9A-Za-z]{32}$/);
      const log = await readFile(logFile, "utf8");
      expect(log).toContain("POST 302");
      expect(log).not.toContain("maria-pw");
      expect(log).not.toContain("code=");
    } finally {
      listener.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
