import { createTestContext } from "@vaultlink/testkit";
import { describe, expect, it } from "vitest";
import provider, { type VaultCredentials } from "../src/index.js";
import {
  APPROLE,
  connect,
  connectAppRole,
  failureOf,
  fetchAll,
  fetchedValue,
  req,
  SEED,
  useRig,
} from "./support.js";

const S = 1000;

describe("token lifecycle on the emulator's clock", () => {
  const rig = useRig();

  it("a root token never expires: the session has no expiresAt and is never renewed", async () => {
    const { instance, ctx } = await connect(rig, "token", { token: rig.emu.rootToken });
    expect(ctx.session?.expiresAt).toBeUndefined();
    rig.clock.advance(400 * 24 * 3600 * S);
    const r = req("secret/app/db#password");
    expect(fetchedValue((await fetchAll(instance, [r])).get(r.id))).toBe(SEED.dbPassword);
    expect(rig.emu.requests.count("token.renew-self")).toBe(0);
    await instance.dispose();
  });

  it("renews at two thirds of the TTL, and the renewed session outlives the first expiry", async () => {
    const token = rig.emu.createToken({ policies: ["reader"], ttlSeconds: 300, renewable: true });
    const start = rig.clock.now();
    const { instance, ctx } = await connect(rig, "token", { token });
    expect(ctx.session?.expiresAt?.getTime()).toBe(start + 300 * S);

    rig.clock.advance(199 * S); // just before 2/3 (200 s)
    let r = req("secret/app/db#password");
    expect(fetchedValue((await fetchAll(instance, [r])).get(r.id))).toBe(SEED.dbPassword);
    expect(rig.emu.requests.count("token.renew-self")).toBe(0);
    expect(ctx.savedSessions).toHaveLength(1);

    rig.clock.advance(2 * S); // 201 s: past 2/3
    r = req("secret/app/db#password");
    expect(fetchedValue((await fetchAll(instance, [r])).get(r.id))).toBe(SEED.dbPassword);
    expect(rig.emu.requests.count("token.renew-self")).toBe(1);
    expect(ctx.savedSessions).toHaveLength(2);
    expect(ctx.session?.expiresAt?.getTime()).toBe(start + 201 * S + 300 * S);

    rig.clock.advance(150 * S); // 351 s: past the first expiry, before 2/3 of the renewed TTL
    r = req("secret/app/db#password");
    expect(fetchedValue((await fetchAll(instance, [r])).get(r.id))).toBe(SEED.dbPassword);
    expect(rig.emu.requests.count("token.renew-self")).toBe(1);
    await instance.dispose();
  });

  it("a token that cannot be renewed fails AUTH_EXPIRED with the reauth hint once it expires", async () => {
    const token = rig.emu.createToken({ policies: ["reader"], ttlSeconds: 300, renewable: false });
    const { instance } = await connect(rig, "token", { token });
    rig.clock.advance(250 * S);
    let r = req("secret/app/db#password");
    expect(fetchedValue((await fetchAll(instance, [r])).get(r.id))).toBe(SEED.dbPassword);
    rig.clock.advance(51 * S);
    const reads = rig.emu.requests.count("kv.read");
    r = req("secret/app/db#password");
    const failed = failureOf((await fetchAll(instance, [r])).get(r.id));
    expect(failed.code).toBe("AUTH_EXPIRED");
    expect(failed.message).toMatch(/expired/);
    expect(failed.hint).toMatch(/reauth/);
    expect(rig.emu.requests.count("kv.read")).toBe(reads);
    await instance.dispose();
  });

  it("a revoked token is told apart from a policy denial: AUTH_EXPIRED", async () => {
    const token = rig.emu.createToken({ policies: ["reader"], ttlSeconds: 3600 });
    const { instance } = await connect(rig, "token", { token });
    let r = req("secret/app/db#password");
    expect(fetchedValue((await fetchAll(instance, [r])).get(r.id))).toBe(SEED.dbPassword);
    rig.emu.expireCredentials();
    r = req("secret/app/db#password");
    const failed = failureOf((await fetchAll(instance, [r])).get(r.id));
    expect(failed.code).toBe("AUTH_EXPIRED");
    expect(rig.emu.requests.count("token.lookup-self")).toBeGreaterThanOrEqual(2);
    await instance.dispose();
  });

  describe("AppRole", () => {
    it("logs in again when the token is not renewable, and persists the new session", async () => {
      const { instance, ctx } = await connectAppRole(rig);
      const first = ctx.session?.credentials as unknown as VaultCredentials;
      expect(first.roleId).toBe(APPROLE.roleId);
      expect(rig.emu.requests.count("login.approle")).toBe(1);

      rig.clock.advance(201 * S);
      const r = req("secret/app/db#password");
      expect(fetchedValue((await fetchAll(instance, [r])).get(r.id))).toBe(SEED.dbPassword);
      expect(rig.emu.requests.count("login.approle")).toBe(2);
      expect(rig.emu.requests.count("token.renew-self")).toBe(0);
      const second = ctx.session?.credentials as unknown as VaultCredentials;
      expect(second.token).not.toBe(first.token);
      expect(second).toMatchObject({ ttlSeconds: 300, obtainedAt: rig.clock.now() });
      // The stored role and secret id outlive any one token: the session has no expiry.
      expect(ctx.session?.expiresAt).toBeUndefined();
      await instance.dispose();
    });

    it("logs in again in a later process, long after the stored token expired", async () => {
      const first = await connectAppRole(rig);
      await first.instance.dispose();
      rig.clock.advance(24 * 3600 * S);
      const ctx = createTestContext({
        clock: rig.clock,
        integration: first.ctx.integration,
        session: JSON.parse(JSON.stringify(first.ctx.session)),
      });
      const instance = await provider.create(ctx);
      const r = req("secret/app/db#password");
      expect(fetchedValue((await fetchAll(instance, [r])).get(r.id))).toBe(SEED.dbPassword);
      expect(rig.emu.requests.count("login.approle")).toBe(2);
      expect(ctx.savedSessions).toHaveLength(1);
      await instance.dispose();
    });

    it("renews while it can, then logs in again when the max TTL stops renewals", async () => {
      const { instance } = await connectAppRole(rig, { renewable: true, maxTtlSeconds: 400 });
      rig.clock.advance(201 * S); // renew: capped at 400 s from issue
      let r = req("secret/app/db#password");
      expect(fetchedValue((await fetchAll(instance, [r])).get(r.id))).toBe(SEED.dbPassword);
      expect(rig.emu.requests.count("token.renew-self")).toBe(1);
      expect(rig.emu.requests.count("login.approle")).toBe(1);
      rig.clock.advance(150 * S); // 351 s: past 2/3 of the remaining 199 s; renewal cannot extend
      r = req("secret/app/db#password");
      expect(fetchedValue((await fetchAll(instance, [r])).get(r.id))).toBe(SEED.dbPassword);
      expect(rig.emu.requests.count("token.renew-self")).toBe(2);
      expect(rig.emu.requests.count("login.approle")).toBe(2);
      await instance.dispose();
    });

    it("logs in again when Vault revokes the token, and retries the read", async () => {
      const { instance } = await connectAppRole(rig, { renewable: true, ttlSeconds: 3600 });
      rig.emu.expireCredentials();
      const r = req("secret/app/db#password");
      expect(fetchedValue((await fetchAll(instance, [r])).get(r.id))).toBe(SEED.dbPassword);
      expect(rig.emu.requests.count("login.approle")).toBe(2);
      await instance.dispose();
    });

    it("fails AUTH_EXPIRED when the re-login is refused too", async () => {
      const { instance } = await connectAppRole(rig);
      rig.emu.addAppRole({ ...APPROLE, secretId: "rotated-secret-id-0001", policies: ["reader"] });
      rig.clock.advance(301 * S);
      const r = req("secret/app/db#password");
      const failed = failureOf((await fetchAll(instance, [r])).get(r.id));
      expect(failed.code).toBe("AUTH_EXPIRED");
      expect(failed.message).toMatch(/invalid role or secret ID/);
      expect(failed.message).not.toContain(APPROLE.secretId);
      await instance.dispose();
    });
  });
});
