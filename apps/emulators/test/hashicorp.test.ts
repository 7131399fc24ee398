import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type HashicorpEmulator, startHashicorpEmulator } from "../src/index.js";
import { apiError, failure, vaultClient } from "./hashicorp-support.js";

let emulator: HashicorpEmulator;
let vault: ReturnType<typeof vaultClient>;

beforeAll(async () => {
  emulator = await startHashicorpEmulator();
});

afterAll(async () => {
  await emulator?.stop();
});

beforeEach(() => {
  emulator.reset();
  vault = vaultClient(emulator, { token: emulator.rootToken });
});

describe("Vault emulator: KV v2", () => {
  it("writes versions, reads the latest and ?version=N", async () => {
    const first = await vault.write("secret/data/app/db", { data: { user: "app", pass: "v1" } });
    expect(first.data).toMatchObject({ version: 1, destroyed: false, deletion_time: "" });
    const second = await vault.write("secret/data/app/db", {
      data: { user: "app", pass: "v2" },
      options: { cas: 1 },
    });
    expect(second.data.version).toBe(2);

    const latest = await vault.read("secret/data/app/db");
    expect(latest.data.data).toEqual({ user: "app", pass: "v2" });
    expect(latest.data.metadata).toMatchObject({ version: 2, deletion_time: "" });
    expect(latest).toMatchObject({ lease_id: "", renewable: false, auth: null });

    const old = await vault.read("secret/data/app/db?version=1");
    expect(old.data.data).toEqual({ user: "app", pass: "v1" });
  });

  it("reads metadata with the versions map", async () => {
    emulator.writeKv("secret", "app/db", { pass: "a" });
    emulator.writeKv("secret", "app/db", { pass: "b" });
    const meta = await vault.read("secret/metadata/app/db");
    expect(meta.data.current_version).toBe(2);
    expect(Object.keys(meta.data.versions)).toEqual(["1", "2"]);
  });

  it("soft delete: 204, then 404 whose body still carries the version metadata", async () => {
    emulator.writeKv("secret", "app/gone", { pass: "a" });
    emulator.writeKv("secret", "app/gone", { pass: "b" });
    await vault.delete("secret/data/app/gone");
    const err = await apiError(vault.read("secret/data/app/gone"), 404);
    const body = err.response?.body as {
      data: { data: unknown; metadata: Record<string, unknown> };
    };
    expect(body.data.data).toBeNull();
    expect(body.data.metadata.version).toBe(2);
    expect(body.data.metadata.deletion_time).not.toBe("");
    const older = await vault.read("secret/data/app/gone?version=1");
    expect(older.data.data).toEqual({ pass: "a" });

    await vault.write("secret/undelete/app/gone", { versions: [2] });
    expect((await vault.read("secret/data/app/gone")).data.data).toEqual({ pass: "b" });
  });

  it("patches with merge-patch and rejects a stale check-and-set", async () => {
    emulator.writeKv("secret", "app/cfg", { a: "1", b: "2" });
    const patched = await vault.update("secret/data/app/cfg", { data: { b: null, c: "3" } });
    expect(patched.data.version).toBe(2);
    expect((await vault.read("secret/data/app/cfg")).data.data).toEqual({ a: "1", c: "3" });

    const err = await apiError(
      vault.write("secret/data/app/cfg", { data: { a: "x" }, options: { cas: 1 } }),
      400,
    );
    expect(err.message).toBe("check-and-set parameter did not match the current version");
  });

  it("lists keys and folders with ?list=1; a missing folder is 404", async () => {
    emulator.writeKv("secret", "app/db", { p: "1" });
    emulator.writeKv("secret", "app/api", { p: "1" });
    emulator.writeKv("secret", "app/nested/one", { p: "1" });
    const listed = await vault.list("secret/metadata/app");
    expect(listed.data.keys).toEqual(["api", "db", "nested/"]);
    const err = await apiError(vault.list("secret/metadata/none"), 404);
    expect(err.message).toBe("Status 404");
    expect(emulator.requests.count("kv.list")).toBe(2);
  });

  it("a missing secret is 404 with an empty errors list", async () => {
    const err = await apiError(vault.read("secret/data/missing"), 404);
    expect(err.response?.body).toEqual({ errors: [] });
  });
});

describe("Vault emulator: KV v1", () => {
  it("stores the payload directly in data", async () => {
    await vault.write("kv/app/config", { url: "https://x", retries: 3 });
    const read = await vault.read("kv/app/config");
    expect(read.data).toEqual({ url: "https://x", retries: 3 });
    expect(read.lease_duration).toBe(2_764_800);
    expect((await vault.list("kv/app")).data.keys).toEqual(["config"]);
    await vault.delete("kv/app/config");
    await apiError(vault.read("kv/app/config"), 404);
  });
});

describe("Vault emulator: sys endpoints", () => {
  it("sys/mounts lists KV mounts with their version, at top level and under data", async () => {
    const mounts = await vault.mounts();
    expect(mounts.data["secret/"]).toMatchObject({ type: "kv", options: { version: "2" } });
    expect(mounts.data["kv/"]).toMatchObject({ type: "kv", options: { version: "1" } });
    expect(mounts["secret/"]).toEqual(mounts.data["secret/"]);
  });

  it("health and seal status answer without a token", async () => {
    const anonymous = vaultClient(emulator);
    expect(await anonymous.health()).toMatchObject({
      initialized: true,
      sealed: false,
      standby: false,
    });
    expect(await anonymous.status()).toMatchObject({ sealed: false, t: 1, n: 1 });
  });

  it("a sealed Vault answers 503 Vault is sealed", async () => {
    emulator.writeKv("secret", "app/db", { p: "1" });
    emulator.seal();
    const err = await apiError(vault.read("secret/data/app/db"), 503);
    expect(err.message).toBe("Vault is sealed");
    await apiError(vault.tokenLookupSelf(), 503);
    expect(await vault.health()).toMatchObject({ sealed: true });
    expect(await vault.status()).toMatchObject({ sealed: true });
    emulator.unseal();
    expect((await vault.read("secret/data/app/db")).data.data).toEqual({ p: "1" });
  });

  it("seal and unseal work through the control API", async () => {
    await fetch(`${emulator.url}/__emulator/seal`, { method: "POST" });
    await apiError(vault.read("secret/data/x"), 503);
    await fetch(`${emulator.url}/__emulator/unseal`, { method: "POST" });
    await apiError(vault.read("secret/data/x"), 404);
  });
});

describe("Vault emulator: namespaces", () => {
  it("keeps each namespace's data apart", async () => {
    emulator.writeKv("secret", "app/db", { owner: "team-a" }, { namespace: "team-a" });
    const teamA = vaultClient(emulator, { token: emulator.rootToken, namespace: "team-a" });
    const teamB = vaultClient(emulator, { token: emulator.rootToken, namespace: "team-b" });
    expect((await teamA.read("secret/data/app/db")).data.data).toEqual({ owner: "team-a" });
    await apiError(teamB.read("secret/data/app/db"), 404);
    await apiError(vault.read("secret/data/app/db"), 404);
    await teamB.write("secret/data/app/db", { data: { owner: "team-b" } });
    expect((await teamB.read("secret/data/app/db")).data.data).toEqual({ owner: "team-b" });
    expect((await teamA.read("secret/data/app/db")).data.data).toEqual({ owner: "team-a" });
  });
});

describe("Vault emulator: faults and counting", () => {
  it.each([
    ["sealed", 503, "Vault is sealed"],
    ["standby", 503, "Vault is in standby mode"],
    ["rate-limited", 429, 'request path "secret/data/app/db": rate limit quota exceeded'],
    ["permission-denied", 403, "permission denied"],
    ["internal", 500, "internal error"],
  ])("the %s fault surfaces as ApiResponseError %i", async (fault, status, message) => {
    emulator.writeKv("secret", "app/db", { p: "1" });
    emulator.inject({ operation: "kv.read", error: fault, times: 1 });
    const err = await apiError(vault.read("secret/data/app/db"), status);
    expect(err.message).toBe(message);
    expect((await vault.read("secret/data/app/db")).data.data).toEqual({ p: "1" });
  });

  it("standby on sys/health is a 429 health body, which node-vault resolves", async () => {
    emulator.inject({ operation: "sys.health", error: "standby", times: 2 });
    expect(await vault.health()).toMatchObject({ standby: true, sealed: false });
    const raw = await fetch(`${emulator.url}/v1/sys/health`);
    expect(raw.status).toBe(429);
    await raw.arrayBuffer();
  });

  it("latency injection holds an answer past node-vault's timeout; times limits the rule", async () => {
    emulator.writeKv("secret", "app/db", { p: "1" });
    emulator.inject({ pathPrefix: "/v1/secret/", latencyMs: 5_000, times: 1 });
    const slow = await failure(vault.read("secret/data/app/db", { timeout: 200 }));
    expect((slow as { code?: string }).code).toBe("ECONNABORTED");
    expect((await vault.read("secret/data/app/db", { timeout: 2_000 })).data.data).toEqual({
      p: "1",
    });
  });

  it.each([429, 472, 473, 474, 501, 503, 530])(
    "a %i from sys/health resolves with the health body, while the same status elsewhere rejects",
    async (status) => {
      const body = { initialized: status !== 501, sealed: status === 503, standby: true };
      emulator.inject({ operation: "sys.health", error: { status, body }, times: 1 });
      expect(await vault.health()).toEqual(body);
      emulator.inject({ operation: "kv.read", error: { status, body: { errors: [] } }, times: 1 });
      await apiError(vault.read("secret/data/app/db"), status);
    },
  );

  it("counts requests by operation", async () => {
    emulator.writeKv("secret", "app/db", { p: "1" });
    await vault.read("secret/data/app/db");
    await vault.read("secret/data/app/db");
    await vault.write("secret/data/app/db", { data: { p: "2" } });
    await vault.list("secret/metadata/app");
    await vault.mounts();
    await vault.tokenLookupSelf();
    expect(emulator.requests.snapshot()).toEqual({
      total: 6,
      byOperation: {
        "kv.read": 2,
        "kv.write": 1,
        "kv.list": 1,
        "sys.mounts": 1,
        "token.lookup-self": 1,
      },
    });
  });

  it("unknown routes are 404 and requests without a token are 403", async () => {
    const err = await apiError(vault.read("nothing/here"), 404);
    expect(err.message).toContain("no handler for route");
    const anonymous = vaultClient(emulator);
    const denied = await apiError(anonymous.read("secret/data/app/db"), 403);
    expect(denied.message).toBe("permission denied");
  });
});
