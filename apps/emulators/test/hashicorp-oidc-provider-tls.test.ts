import { createHash, randomBytes } from "node:crypto";
import https from "node:https";
import nodeVault from "node-vault";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  generateTestCertificates,
  type HashicorpEmulator,
  startHashicorpEmulator,
} from "../src/index.js";

let emu: HashicorpEmulator;
let ca: string;

beforeAll(async () => {
  const certs = await generateTestCertificates();
  ca = certs.caPem;
  emu = await startHashicorpEmulator({ tls: { key: certs.key, cert: certs.cert, ca } });
});
afterAll(async () => {
  await emu?.stop();
});

/** A request over https trusting the test CA: status, headers and text. */
function call(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; location?: string; text: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      { method: init.method ?? "GET", headers: init.headers, ca },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            ...(res.headers.location ? { location: res.headers.location } : {}),
            text: Buffer.concat(chunks).toString("utf8"),
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(init.body);
  });
}

describe("Vault emulator over https, in a namespace: a JWT method discovers its own provider", () => {
  it("signs a member in through the namespaced provider and logs in with the ID token", async () => {
    const root = nodeVault({
      endpoint: emu.url,
      token: emu.rootToken,
      namespace: "team-a",
      noCustomHTTPVerbs: true,
      requestOptions: { ca },
    });
    await root.write("identity/oidc/client/cli", {
      redirect_uris: ["http://127.0.0.1:10545/"],
      assignments: ["allow_all"],
      client_type: "public",
    });
    const clientId = (await root.read("identity/oidc/client/cli")).data.client_id as string;
    await root.write("identity/oidc/provider/team", { allowed_client_ids: [clientId] });
    const issuer = (await root.read("identity/oidc/provider/team")).data.issuer as string;
    expect(issuer).toBe(`${emu.url}/v1/team-a/identity/oidc/provider/team`);
    await root.write("sys/auth/team-jwt", { type: "jwt" });
    await root.write("auth/team-jwt/config", { oidc_discovery_url: issuer });
    await root.write("auth/team-jwt/role/member", {
      role_type: "jwt",
      bound_audiences: [clientId],
      user_claim: "sub",
    });
    await root.write("auth/userpass/users/ana", { password: "ana-pw" });

    // The provider answers under its namespace only.
    expect((await call(`${issuer}/.well-known/openid-configuration`)).status).toBe(200);
    expect(
      (await call(`${emu.url}/v1/identity/oidc/provider/team/.well-known/openid-configuration`))
        .status,
    ).toBe(404);

    const doc = JSON.parse((await call(`${issuer}/.well-known/openid-configuration`)).text);
    expect(doc.authorization_endpoint).toBe(
      `${emu.url}/ui/vault/team-a/identity/oidc/provider/team/authorize`,
    );
    const verifier = randomBytes(32).toString("base64url");
    const authorize = new URL(doc.authorization_endpoint);
    authorize.search = new URLSearchParams({
      response_type: "code",
      client_id: clientId,
      redirect_uri: "http://127.0.0.1:10545/",
      scope: "openid",
      state: "ns",
      code_challenge: createHash("sha256").update(verifier).digest("base64url"),
      code_challenge_method: "S256",
    }).toString();
    const form = await call(authorize.toString());
    expect(form.status).toBe(200);
    const signedIn = await call(authorize.toString(), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        method: "userpass",
        username: "ana",
        password: "ana-pw",
      }).toString(),
    });
    expect(signedIn.status).toBe(302);
    const code = new URL(signedIn.location as string).searchParams.get("code") as string;
    const exchanged = await call(doc.token_endpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        code,
        redirect_uri: "http://127.0.0.1:10545/",
        client_id: clientId,
        code_verifier: verifier,
      }).toString(),
    });
    expect(exchanged.status).toBe(200);
    const { id_token } = JSON.parse(exchanged.text);
    const claims = JSON.parse(Buffer.from(id_token.split(".")[1], "base64url").toString());
    expect(claims).toMatchObject({ iss: issuer, aud: clientId, namespace: "team-a" });

    const member = nodeVault({ endpoint: emu.url, namespace: "team-a", requestOptions: { ca } });
    const login = await member.jwtLogin({ mount_point: "team-jwt", role: "member", jwt: id_token });
    expect(login.auth.metadata).toEqual({ role: "member" });
    // As in Vault, the JWT mount gets its own alias (named by the user claim) and entity.
    expect((await member.tokenLookupSelf()).data.display_name).toBe(`team-jwt-${claims.sub}`);
  });
});
