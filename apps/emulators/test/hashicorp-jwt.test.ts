import { describe, expect, it } from "vitest";
import { EmulatorControlClient } from "../src/index.js";
import {
  apiError,
  emulator,
  signingKey,
  signJwt,
  unsignedJwt,
  useFrozenEmulator,
  vaultClient,
} from "./hashicorp-support.js";

const rsa = signingKey("RS256");
const ec = signingKey("ES256");
const stranger = signingKey("RS256");

useFrozenEmulator(() => {
  emulator.createPolicy("app-read", { paths: { "secret/data/app/*": ["read"] } });
  emulator.writeKv("secret", "app/db", { pass: "pw" });
  emulator.configureJwtAuth({
    jwtValidationPubkeys: [rsa.publicKeyPem, ec.publicKeyPem],
    boundIssuer: "https://ci.example",
  });
  emulator.addJwtRole({
    role: "deploy",
    policies: ["app-read"],
    ttlSeconds: 900,
    boundAudiences: ["vault"],
    userClaim: "repository",
  });
});

/** Claims of a good token at the emulator's time, with `extra` merged in. */
function claims(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(emulator.now() / 1000);
  return {
    iss: "https://ci.example",
    sub: "repo:acme/app:ref:main",
    aud: "vault",
    repository: "acme/app",
    iat: now,
    exp: now + 300,
    ...extra,
  };
}

async function refused(jwt: string, role = "deploy"): Promise<string> {
  const err = await apiError(vaultClient(emulator).jwtLogin({ role, jwt }), 400);
  expect(err.response?.body).toEqual({ errors: [err.message] });
  return err.message;
}

describe("Vault emulator: JWT login against jwt_validation_pubkeys", () => {
  it("accepts RS256 and ES256 tokens signed by a configured key", async () => {
    for (const key of [rsa, ec]) {
      const vault = vaultClient(emulator);
      const login = await vault.jwtLogin({ role: "deploy", jwt: signJwt(claims(), key) });
      expect(login.auth).toMatchObject({
        lease_duration: 900,
        renewable: true,
        metadata: { role: "deploy" },
      });
      expect(login.auth.policies).toEqual(["app-read", "default"]);
      expect((await vault.tokenLookupSelf()).data.display_name).toBe("jwt-acme/app");
      expect((await vault.read("secret/data/app/db")).data.data).toEqual({ pass: "pw" });
    }
    expect(emulator.requests.count("login.jwt")).toBe(2);
  });

  it("refuses a token signed by another key, an altered payload and an unsigned token", async () => {
    const message = "no known key successfully validated the token signature";
    expect(await refused(signJwt(claims(), stranger))).toBe(message);
    const [head, , signature] = signJwt(claims(), rsa).split(".");
    const forged = Buffer.from(JSON.stringify(claims({ repository: "acme/other" }))).toString(
      "base64url",
    );
    expect(await refused(`${head}.${forged}.${signature}`)).toBe(message);
    expect(await refused(unsignedJwt(claims()))).toBe(message);
    const none = `${Buffer.from('{"alg":"none"}').toString("base64url")}.${forged}.`;
    expect(await refused(none)).toBe('error parsing token: unexpected signature algorithm "none"');
  });

  it("checks bound audiences, issuer, exp, nbf and the user claim with Vault's messages", async () => {
    const now = Math.floor(emulator.now() / 1000);
    const invalid = "error validating claims: go-jose/go-jose/jwt: validation failed";
    expect(await refused(signJwt(claims({ aud: ["other", "api"] }), rsa))).toBe(
      "error validating claims: aud claim does not match any bound audience",
    );
    expect(await refused(signJwt(claims({ aud: undefined }), rsa))).toBe(
      "error validating claims: aud claim does not match any bound audience",
    );
    expect(await refused(signJwt(claims({ iss: "https://evil.example" }), rsa))).toBe(
      `${invalid}, invalid issuer claim (iss)`,
    );
    expect(await refused(signJwt(claims({ iat: now - 600, exp: now - 61 }), rsa))).toBe(
      `${invalid}, token is expired (exp)`,
    );
    expect(await refused(signJwt(claims({ nbf: now + 120 }), ec))).toBe(
      `${invalid}, token not valid yet (nbf)`,
    );
    expect(await refused(signJwt(claims({ repository: undefined }), rsa))).toBe(
      'claim "repository" not found in token',
    );
    expect(await refused(signJwt(claims({ repository: 42 }), rsa))).toBe(
      'claim "repository" could not be converted to string',
    );
    // Within the 60 s of clock skew Vault allows, a just-expired token still logs in.
    const login = await vaultClient(emulator).jwtLogin({
      role: "deploy",
      jwt: signJwt(claims({ iat: now - 600, exp: now - 30 }), rsa),
    });
    expect(login.auth.client_token).toMatch(/^hvs\./);
  });

  it("a token expires on the emulator's clock", async () => {
    const jwt = signJwt(claims(), rsa);
    emulator.advanceClock(361_000);
    expect(await refused(jwt)).toMatch(/token is expired \(exp\)$/);
  });

  it("bound_subject and default_role; an OIDC role cannot take a JWT", async () => {
    emulator.configureJwtAuth({ jwtValidationPubkeys: [rsa.publicKeyPem], defaultRole: "pinned" });
    emulator.addJwtRole({
      role: "pinned",
      boundAudiences: ["vault"],
      boundSubject: "repo:acme/app:ref:main",
    });
    const login = await vaultClient(emulator).write("auth/jwt/login", {
      jwt: signJwt(claims(), rsa),
    });
    expect(login.auth.metadata).toEqual({ role: "pinned" });
    expect(await refused(signJwt(claims({ sub: "repo:acme/app:ref:dev" }), rsa), "pinned")).toBe(
      "error validating claims: go-jose/go-jose/jwt: validation failed, invalid subject claim (sub)",
    );

    emulator.addOidcRole({ role: "people", mount: "jwt", allowedRedirectUris: [] });
    expect(await refused(signJwt(claims(), rsa), "people")).toBe(
      "role with oidc role_type is not allowed",
    );
  });

  it("a bad PEM is refused when configuring, and the config can be set over the control API", async () => {
    expect(() => emulator.configureJwtAuth({ jwtValidationPubkeys: ["not a key"] })).toThrow(
      /error parsing public key/,
    );
    const control = new EmulatorControlClient(emulator.url);
    await control.action("configure-jwt-auth", {
      mount: "ci-jwt",
      jwtValidationPubkeys: [ec.publicKeyPem],
    });
    await control.action("add-jwt-role", { role: "r", mount: "ci-jwt", boundAudiences: ["vault"] });
    const vault = vaultClient(emulator);
    const login = await vault.jwtLogin({
      role: "r",
      jwt: signJwt(claims({ iss: undefined }), ec),
      mount_point: "ci-jwt",
    });
    expect(login.auth.metadata).toEqual({ role: "r" });
    const err = await apiError(
      vault.jwtLogin({ role: "r", jwt: signJwt(claims(), rsa), mount_point: "ci-jwt" }),
      400,
    );
    expect(err.message).toBe("no known key successfully validated the token signature");
  });
});
