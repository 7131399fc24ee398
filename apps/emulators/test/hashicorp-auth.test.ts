import { describe, expect, it } from "vitest";
import { EmulatorControlClient, startHashicorpEmulator } from "../src/index.js";
import {
  apiError,
  emulator,
  unsignedJwt,
  useFrozenEmulator,
  vaultClient,
} from "./hashicorp-support.js";

useFrozenEmulator(() => {
  emulator.createPolicy("app-read", {
    paths: { "secret/data/app/*": ["read"], "secret/metadata/app/*": ["list"] },
  });
  emulator.writeKv("secret", "app/db", { pass: "pw" });
  emulator.writeKv("secret", "other/db", { pass: "pw" });
});

describe("Vault emulator: tokens", () => {
  it("lookup-self describes the root token", async () => {
    const vault = vaultClient(emulator, { token: emulator.rootToken });
    const self = await vault.tokenLookupSelf();
    expect(self.data).toMatchObject({
      id: emulator.rootToken,
      policies: ["root"],
      ttl: 0,
      expire_time: null,
      renewable: false,
    });
  });

  it("token TTLs follow the clock; an expired token is 403 permission denied", async () => {
    const token = emulator.createToken({ policies: ["app-read"], ttlSeconds: 60 });
    const vault = vaultClient(emulator, { token });
    const self = await vault.tokenLookupSelf();
    expect(self.data).toMatchObject({ ttl: 60, creation_ttl: 60, renewable: true });
    expect(self.data.policies).toEqual(["app-read", "default"]);
    expect(Date.parse(self.data.expire_time)).toBe(Date.parse(self.data.issue_time) + 60_000);

    emulator.advanceClock(30_000);
    expect((await vault.tokenLookupSelf()).data.ttl).toBe(30);
    expect((await vault.read("secret/data/app/db")).data.data).toEqual({ pass: "pw" });

    emulator.advanceClock(31_000);
    const err = await apiError(vault.read("secret/data/app/db"), 403);
    expect(err.message).toBe("permission denied");
    await apiError(vault.tokenLookupSelf(), 403);
  });

  it("renew-self extends the TTL up to the token's max TTL", async () => {
    const token = emulator.createToken({ ttlSeconds: 60, maxTtlSeconds: 120 });
    const vault = vaultClient(emulator, { token });
    emulator.advanceClock(50_000);
    const renewed = await vault.tokenRenewSelf({ increment: 30 });
    expect(renewed.auth).toMatchObject({
      client_token: token,
      lease_duration: 30,
      renewable: true,
    });
    expect(renewed.data).toBeNull();

    const capped = await vault.tokenRenewSelf({ increment: "1h" });
    expect(capped.auth.lease_duration).toBe(70);
    expect(capped.warnings).toEqual(["TTL of the token was capped at its maximum TTL"]);
    emulator.advanceClock(71_000);
    await apiError(vault.tokenLookupSelf(), 403);
  });

  it("a non-renewable token cannot be renewed", async () => {
    const token = emulator.createToken({ ttlSeconds: 60, renewable: false });
    const err = await apiError(vaultClient(emulator, { token }).tokenRenewSelf(), 400);
    expect(err.response?.body).toEqual({ errors: ["lease is not renewable"] });
  });

  it("an injectable clock drives expiry", async () => {
    let now = Date.parse("2030-01-01T00:00:00Z");
    const clocked = await startHashicorpEmulator({ now: () => now, rootToken: "hvs.fixed-root" });
    try {
      const token = clocked.createToken({ ttlSeconds: 10 });
      const vault = vaultClient(clocked, { token });
      expect((await vault.tokenLookupSelf()).data.issue_time).toBe("2030-01-01T00:00:00.000Z");
      now += 10_000;
      await apiError(vault.tokenLookupSelf(), 403);
      const root = vaultClient(clocked, { token: "hvs.fixed-root" });
      expect((await root.tokenLookupSelf()).data.id).toBe("hvs.fixed-root");
    } finally {
      await clocked.stop();
    }
  });

  it("the clock advances through the control API", async () => {
    const token = emulator.createToken({ ttlSeconds: 5 });
    const control = new EmulatorControlClient(emulator.url);
    await control.action("advance-clock", { ms: 6000 });
    await apiError(vaultClient(emulator, { token }).tokenLookupSelf(), 403);
  });
});

describe("Vault emulator: policies", () => {
  it("a denied path is 403 while lookup-self still succeeds, unlike a bad token", async () => {
    const vault = vaultClient(emulator, {
      token: emulator.createToken({ policies: ["app-read"] }),
    });
    expect((await vault.read("secret/data/app/db")).data.data).toEqual({ pass: "pw" });
    expect((await vault.list("secret/metadata/app")).data.keys).toEqual(["db"]);

    const denied = await apiError(vault.read("secret/data/other/db"), 403);
    expect(denied.response?.body).toEqual({ errors: ["permission denied"] });
    await apiError(vault.write("secret/data/app/db", { data: { pass: "x" } }), 403);
    await apiError(vault.mounts(), 403);
    expect((await vault.tokenLookupSelf()).data.policies).toContain("app-read");

    const bogus = vaultClient(emulator, { token: "hvs.not-a-token" });
    await apiError(bogus.read("secret/data/app/db"), 403);
    await apiError(bogus.tokenLookupSelf(), 403);
  });

  it("deny wins and exact paths beat globs", async () => {
    emulator.createPolicy("mixed", {
      paths: {
        "secret/data/*": ["read", "create", "update"],
        "secret/data/other/db": ["deny"],
      },
    });
    const vault = vaultClient(emulator, { token: emulator.createToken({ policies: ["mixed"] }) });
    await vault.write("secret/data/new/one", { data: { a: "1" } });
    expect((await vault.read("secret/data/app/db")).data.data).toEqual({ pass: "pw" });
    await apiError(vault.read("secret/data/other/db"), 403);
  });
});

describe("Vault emulator: logins", () => {
  it("AppRole login issues a token with the role's policies; bad credentials are 400", async () => {
    emulator.addAppRole({
      roleId: "role-1",
      secretId: "sec-1",
      policies: ["app-read"],
      ttl: "10m",
    });
    const vault = vaultClient(emulator);
    const login = await vault.approleLogin({ role_id: "role-1", secret_id: "sec-1" });
    expect(login.auth).toMatchObject({ lease_duration: 600, renewable: true });
    expect(login.auth.policies).toEqual(["app-read", "default"]);
    expect((await vault.read("secret/data/app/db")).data.data).toEqual({ pass: "pw" });

    const err = await apiError(
      vaultClient(emulator).approleLogin({ role_id: "role-1", secret_id: "wrong" }),
      400,
    );
    expect(err.message).toBe("invalid role or secret ID");
    expect(emulator.requests.count("login.approle")).toBe(2);
  });

  it("AppRole works on a custom mount", async () => {
    emulator.addAppRole({ roleId: "r", secretId: "s", mount: "ci-approle" });
    const login = await vaultClient(emulator).approleLogin({
      role_id: "r",
      secret_id: "s",
      mount_point: "ci-approle",
    });
    expect(login.auth.client_token).toMatch(/^hvs\./);
  });

  it("userpass login; a wrong password is 400", async () => {
    emulator.addUser({ username: "alice", password: "pw-a", policies: ["app-read"] });
    const vault = vaultClient(emulator);
    const login = await vault.userpassLogin({ username: "alice", password: "pw-a" });
    expect(login.auth.metadata).toEqual({ username: "alice" });
    expect((await vault.tokenLookupSelf()).data.display_name).toBe("userpass-alice");
    const err = await apiError(
      vaultClient(emulator).userpassLogin({ username: "alice", password: "nope" }),
      400,
    );
    expect(err.message).toBe("invalid username or password");
    await apiError(vaultClient(emulator).userpassLogin({ username: "bob", password: "x" }), 400);
  });

  it("JWT login on a mount without validation keys checks the claims but not the signature", async () => {
    emulator.addJwtRole({ role: "ci", policies: ["app-read"] });
    const now = Math.floor(emulator.now() / 1000);
    const vault = vaultClient(emulator);
    const login = await vault.jwtLogin({
      role: "ci",
      jwt: unsignedJwt({ sub: "repo:x", iat: now, exp: now + 300 }),
    });
    expect(login.auth.policies).toEqual(["app-read", "default"]);
    expect(login.auth.metadata).toEqual({ role: "ci" });
    expect((await vault.tokenLookupSelf()).data.display_name).toBe("jwt-repo:x");
    expect((await vault.read("secret/data/app/db")).data.data).toEqual({ pass: "pw" });

    const anonymous = vaultClient(emulator);
    const refused = async (jwt: string, role = "ci") =>
      (await apiError(anonymous.jwtLogin({ role, jwt }), 400)).message;
    expect(await refused(unsignedJwt({ sub: "a", aud: "x", iat: now }))).toBe(
      "audience claim found in JWT but no audiences bound to the role",
    );
    expect(await refused(unsignedJwt({ iat: now }))).toBe('claim "sub" not found in token');
    expect(await refused("not-a-jwt")).toBe(
      "error parsing token: go-jose/go-jose: compact JWS format must have three parts",
    );
    expect(await refused(unsignedJwt({ sub: "a" }))).toBe(
      "no issue time, notbefore, or expiration time encoded in token",
    );
    expect(await refused(unsignedJwt({ sub: "a", iat: now }), "nope")).toBe(
      'role "nope" could not be found',
    );
    // Vault allows 60 s of clock skew: 61 s past exp is expired. With exp alone, nbf is taken as
    // 150 s before exp, so a token whose exp is far ahead is not valid yet.
    expect(await refused(unsignedJwt({ sub: "a", exp: now + 300 }))).toBe(
      "error validating claims: go-jose/go-jose/jwt: validation failed, token not valid yet (nbf)",
    );
    expect(await refused(unsignedJwt({ sub: "a", exp: now - 61 }))).toBe(
      "error validating claims: go-jose/go-jose/jwt: validation failed, token is expired (exp)",
    );
    expect(emulator.requests.count("login.jwt")).toBe(8);
  });
});

describe("Vault emulator: expireCredentials", () => {
  it("invalidates every current token; fresh logins still work", async () => {
    emulator.addAppRole({ roleId: "role-1", secretId: "sec-1", policies: ["app-read"] });
    const before = vaultClient(emulator);
    await before.approleLogin({ role_id: "role-1", secret_id: "sec-1" });
    const root = vaultClient(emulator, { token: emulator.rootToken });

    emulator.expireCredentials();
    await apiError(before.read("secret/data/app/db"), 403);
    await apiError(before.tokenLookupSelf(), 403);
    await apiError(root.read("secret/data/app/db"), 403);

    const after = vaultClient(emulator);
    await after.approleLogin({ role_id: "role-1", secret_id: "sec-1" });
    expect((await after.read("secret/data/app/db")).data.data).toEqual({ pass: "pw" });
  });

  it("works through the control API too", async () => {
    const token = emulator.createToken({ policies: ["app-read"] });
    await new EmulatorControlClient(emulator.url).expireCredentials();
    await apiError(vaultClient(emulator, { token }).read("secret/data/app/db"), 403);
  });
});
