import { createServer } from "node:net";
import { createTestContext } from "@vaultlink/testkit";
import { describe, expect, it } from "vitest";
import provider from "../src/index.js";
import { connect, failureOf, fetchAll, fetchedValue, req, SEED, useRig } from "./support.js";

describe("fetching from KV engines", () => {
  const rig = useRig();

  it("one read per (engine, path, version) serves every key linked from it", async () => {
    const { instance } = await connect(rig, "token", { token: rig.emu.rootToken });
    const requests = [
      req("secret/app/db#password"),
      req("secret/app/db#username"),
      req("secret/app/db#port"),
      req("secret/app/db#password", "1"),
      req("secret/app/db?version=1#username"),
      req("secret/other/api#key"),
      req("kv/legacy/api#token"),
    ];
    rig.emu.requests.reset();
    const results = await fetchAll(instance, requests);
    const [pw, user, port, pw1, user1, other, legacy] = requests.map((r) => results.get(r.id));
    expect(fetchedValue(pw)).toBe(SEED.dbPassword);
    expect(fetchedValue(user)).toBe(SEED.dbUser);
    expect(fetchedValue(port)).toBe("5432");
    expect(fetchedValue(pw1)).toBe(SEED.dbPasswordV1);
    expect(fetchedValue(user1)).toBe(SEED.dbUser);
    expect(fetchedValue(other)).toBe("other-api-key-6060");
    expect(fetchedValue(legacy)).toBe(SEED.legacyToken);
    // secret/app/db current, secret/app/db v1, secret/other/api, kv/legacy/api
    expect(rig.emu.requests.count("kv.read")).toBe(4);
    expect(rig.emu.requests.count("sys.mounts")).toBe(1);
    expect(pw?.ok && pw.version).toBe("2");
    expect(pw1?.ok && pw1.version).toBe("1");
    expect(legacy?.ok && legacy.version).toBeUndefined();
    await instance.dispose();
  });

  it("hands non-string values to core JSON-encoded", async () => {
    const { instance } = await connect(rig, "token", { token: rig.emu.rootToken });
    const r = req("secret/app/db#config");
    expect(JSON.parse(fetchedValue((await fetchAll(instance, [r])).get(r.id)))).toEqual({
      host: "db.internal",
      pool: 5,
    });
    await instance.dispose();
  });

  it("a missing key in an existing secret is NOT_FOUND naming the key", async () => {
    const { instance } = await connect(rig, "token", { token: rig.emu.rootToken });
    const r = req("secret/app/db#pasword");
    const failed = failureOf((await fetchAll(instance, [r])).get(r.id));
    expect(failed.code).toBe("NOT_FOUND");
    expect(failed.message).toContain('no key "pasword"');
    expect(failed.hint).toContain("password");
    expect(JSON.stringify(failed)).not.toContain(SEED.dbPassword);
    await instance.dispose();
  });

  it("reports a deleted version, a missing engine, a non-KV engine path and a v1 version", async () => {
    const { instance } = await connect(rig, "token", { token: rig.emu.rootToken });
    rig.emu.deleteKv("secret", "other/api");
    const deleted = req("secret/other/api#key");
    const noEngine = req("nosuch/app/db#password");
    const dataPrefix = req("secret/data/app/db#password");
    const v1Version = req("kv/legacy/api?version=2#token");
    const results = await fetchAll(instance, [deleted, noEngine, dataPrefix, v1Version]);
    expect(failureOf(results.get(deleted.id)).message).toMatch(/was deleted at/);
    const engine = failureOf(results.get(noEngine.id));
    expect(engine.code).toBe("NOT_FOUND");
    expect(engine.message).toContain('"nosuch/"');
    expect(failureOf(results.get(dataPrefix.id)).hint).toContain('Leave out "data/"');
    const v1 = failureOf(results.get(v1Version.id));
    expect(v1.code).toBe("INVALID_REFERENCE");
    expect(v1.message).toMatch(/KV v1/);
    await instance.dispose();
  });

  it("reads from the integration's namespace (X-Vault-Namespace)", async () => {
    const token = rig.emu.rootToken;
    const inTeam = await connect(rig, "token", { token }, { namespace: "team-a" });
    const inRoot = await connect(rig, "token", { token });
    const a = req("secret/app/db#password");
    const b = req("secret/app/db#password");
    expect(fetchedValue((await fetchAll(inTeam.instance, [a])).get(a.id))).toBe(SEED.teamPassword);
    expect(fetchedValue((await fetchAll(inRoot.instance, [b])).get(b.id))).toBe(SEED.dbPassword);
    const missing = req("secret/other/api#key");
    expect(failureOf((await fetchAll(inTeam.instance, [missing])).get(missing.id)).code).toBe(
      "NOT_FOUND",
    );
    await inTeam.instance.dispose();
    await inRoot.instance.dispose();
  });

  describe("when the policy denies sys/mounts", () => {
    it("asks sys/internal/ui/mounts per engine, as the vault CLI does", async () => {
      const token = rig.emu.createToken({ policies: ["app-only"] });
      const { instance } = await connect(rig, "token", { token });
      const v2 = req("secret/app/db#password");
      const v1 = req("kv/legacy/api#token");
      const results = await fetchAll(instance, [v2, v1]);
      expect(fetchedValue(results.get(v2.id))).toBe(SEED.dbPassword);
      expect(fetchedValue(results.get(v1.id))).toBe(SEED.legacyToken);
      expect(rig.emu.requests.count("sys.internal-ui-mounts")).toBe(2);
      await instance.dispose();
    });

    it("falls back to v2 with a warning when that is denied too; kvVersion fixes v1 engines", async () => {
      rig.emu.inject({ operation: "sys.internal-ui-mounts", error: "permission-denied" });
      const token = rig.emu.createToken({ policies: ["app-only"] });
      const auto = await connect(rig, "token", { token });
      const v2 = req("secret/app/db#password");
      const v1 = req("kv/legacy/api#token");
      const results = await fetchAll(auto.instance, [v2, v1]);
      expect(fetchedValue(results.get(v2.id))).toBe(SEED.dbPassword);
      const failed = failureOf(results.get(v1.id));
      expect(failed.code).toBe("NOT_FOUND");
      expect(failed.hint).toMatch(/kvVersion/);
      expect(
        auto.ctx.logger.lines.some((l) => l.level === "warn" && /assuming KV v2/.test(l.message)),
      ).toBe(true);

      const forced = await connect(rig, "token", { token }, { kvVersion: "1" });
      const again = req("kv/legacy/api#token");
      expect(fetchedValue((await fetchAll(forced.instance, [again])).get(again.id))).toBe(
        SEED.legacyToken,
      );
      await auto.instance.dispose();
      await forced.instance.dispose();
    });
  });

  it("a policy denial is PERMISSION_DENIED naming the path and the read capability", async () => {
    const token = rig.emu.createToken({ policies: ["app-only"] });
    const { instance } = await connect(rig, "token", { token }, { kvVersion: "2" });
    const r = req("secret/other/api#key");
    const failed = failureOf((await fetchAll(instance, [r])).get(r.id));
    expect(failed.code).toBe("PERMISSION_DENIED");
    expect(failed.message).toContain('"read" capability on "secret/data/other/api"');
    expect(failed.details).toMatchObject({ path: "secret/data/other/api", capability: "read" });
    await instance.dispose();
  });

  describe("server states map to core codes", () => {
    const cases = [
      { fault: "sealed", code: "UNREACHABLE", text: /sealed/ },
      { fault: "standby", code: "UNREACHABLE", text: /standby/ },
      { fault: "rate-limited", code: "THROTTLED", text: /rate-limited/ },
      { fault: "internal", code: "PROVIDER_ERROR", text: /HTTP 500/ },
    ] as const;
    for (const { fault, code, text } of cases) {
      it(`${fault} → ${code}`, async () => {
        const { instance } = await connect(rig, "token", { token: rig.emu.rootToken });
        rig.emu.inject({ operation: "kv.read", error: fault });
        const r = req("secret/app/db#password");
        const failed = failureOf((await fetchAll(instance, [r])).get(r.id));
        expect(failed.code).toBe(code);
        expect(failed.message).toMatch(text);
        await instance.dispose();
      });
    }

    it("a rate-limited (429) read is retried with backoff, and THROTTLED only when it persists", async () => {
      const { instance } = await connect(rig, "token", { token: rig.emu.rootToken });
      const r = req("secret/app/db#password");
      rig.emu.requests.reset();
      rig.emu.inject({ operation: "kv.read", error: "rate-limited", times: 1 });
      expect(fetchedValue((await fetchAll(instance, [r])).get(r.id))).toBe(SEED.dbPassword);
      expect(rig.emu.requests.count("kv.read")).toBe(2);

      rig.emu.requests.reset();
      rig.emu.inject({ operation: "kv.read", error: "rate-limited" });
      expect(failureOf((await fetchAll(instance, [r])).get(r.id)).code).toBe("THROTTLED");
      // The first read and the two retries of the default policy.
      expect(rig.emu.requests.count("kv.read")).toBe(3);
      await instance.dispose();
    });

    it("a sealed Vault at sign-in is UNREACHABLE", async () => {
      rig.emu.seal();
      await expect(connect(rig, "token", { token: rig.emu.rootToken })).rejects.toMatchObject({
        code: "UNREACHABLE",
        message: expect.stringMatching(/sealed/),
      });
    });
  });

  it("a closed port is UNREACHABLE (ECONNREFUSED)", async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, "127.0.0.1", () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const ctx = createTestContext({
      integration: {
        id: "hashicorp",
        authMethod: "token",
        settings: { address: `http://127.0.0.1:${port}` },
      },
      session: {
        credentials: {
          method: "token",
          token: "hvs.unused-token",
          ttlSeconds: 0,
          renewable: false,
          obtainedAt: 0,
        },
      },
    });
    const instance = await provider.create(ctx);
    const r = req("secret/app/db#password");
    const failed = failureOf((await fetchAll(instance, [r])).get(r.id));
    expect(failed.code).toBe("UNREACHABLE");
    expect(failed.message).toContain("ECONNREFUSED");
    expect(failed.message).not.toContain("hvs.unused-token");
    await instance.dispose();
  });
});
