import { isVaultlinkError, type ProviderInstance } from "@vaultlink/core/plugin";
import { beforeEach, describe, expect, it, vi } from "vitest";
import {
  createMemoryProvider,
  createTestContext,
  FakeClock,
  type MemoryProvider,
  parseMemoryReference,
  vaultlinkRejection,
} from "../src/index.js";

const TOKEN = "memory-token";

async function signedIn(memory: MemoryProvider, clock = new FakeClock(0)) {
  const ctx = createTestContext({ clock });
  const instance = await memory.provider.create(ctx);
  const session = await instance.authenticate({
    method: "token",
    settings: {},
    secrets: { token: TOKEN },
  });
  await ctx.saveSession(session);
  return { ctx, instance, session, clock };
}

function get(instance: ProviderInstance, reference: string, version?: string) {
  return instance.fetch([
    { id: "r", reference: parseMemoryReference(reference), ...(version ? { version } : {}) },
  ]);
}

describe("memory references", () => {
  it("normalises the scheme and keeps a #version", () => {
    expect(parseMemoryReference(" MEM://db/password ")).toEqual({
      canonical: "mem://db/password",
      name: "db/password",
    });
    expect(parseMemoryReference("mem://api-key#v2")).toEqual({
      canonical: "mem://api-key#v2",
      name: "api-key",
      version: "v2",
    });
  });

  it.each([
    ["", /empty/],
    ["db/password", /must start with mem:\/\//],
    ["mem://", /names no secret/],
    ["mem://a b", /not a valid memory secret name/],
    ["mem://a//b", /not a valid memory secret name/],
    ["mem://name#", /invalid version/],
  ])("rejects %j with INVALID_REFERENCE", (input, message) => {
    let thrown: unknown;
    try {
      parseMemoryReference(input);
    } catch (error) {
      thrown = error;
    }
    expect(isVaultlinkError(thrown) && thrown.code).toBe("INVALID_REFERENCE");
    expect((thrown as Error).message).toMatch(message);
  });
});

describe("createMemoryProvider", () => {
  let memory: MemoryProvider;
  beforeEach(() => {
    memory = createMemoryProvider({ secrets: { "db/password": "initial-pw" } });
  });

  it("declares id memory, batch, versions and JSON keys", () => {
    expect(memory.provider.id).toBe("memory");
    expect(memory.provider.capabilities).toEqual({ batch: true, versions: true, jsonKey: true });
    expect(memory.provider.meta.name).toBe("@vaultlink/testkit");
  });

  it("fetches values, current by default and a named version on request", async () => {
    memory.store.set("db/password", "second-pw");
    expect(memory.store.set("db/password", "named-pw", { version: "blue" })).toBe("blue");
    const { instance } = await signedIn(memory);
    expect(await get(instance, "mem://db/password")).toEqual([
      { id: "r", ok: true, value: "named-pw", version: "blue" },
    ]);
    expect(await get(instance, "mem://db/password", "1")).toMatchObject([{ value: "initial-pw" }]);
    expect(await get(instance, "mem://db/password#2")).toMatchObject([{ value: "second-pw" }]);
  });

  it("reports a missing secret or version as NOT_FOUND for that request", async () => {
    const { instance } = await signedIn(memory);
    const results = await instance.fetch([
      { id: "a", reference: parseMemoryReference("mem://nope") },
      { id: "b", reference: parseMemoryReference("mem://db/password"), version: "9" },
      { id: "c", reference: parseMemoryReference("mem://db/password") },
    ]);
    expect(results).toMatchObject([
      {
        id: "a",
        ok: false,
        code: "NOT_FOUND",
        message: "mem://nope does not exist in the memory provider.",
      },
      {
        id: "b",
        ok: false,
        code: "NOT_FOUND",
        message: 'Version "9" of mem://db/password does not exist.',
      },
      { id: "c", ok: true, value: "initial-pw" },
    ]);
  });

  it("forgets deleted secrets", async () => {
    const { instance } = await signedIn(memory);
    expect(memory.store.delete("db/password")).toBe(true);
    expect(memory.store.delete("db/password")).toBe(false);
    expect(await get(instance, "mem://db/password")).toMatchObject([{ code: "NOT_FOUND" }]);
  });

  it("rejects unknown methods and wrong tokens with AUTH_FAILED", async () => {
    const instance = await memory.provider.create(createTestContext());
    const wrongMethod = await vaultlinkRejection(
      instance.authenticate({ method: "password", settings: {}, secrets: { token: TOKEN } }),
    );
    expect(wrongMethod.code).toBe("AUTH_FAILED");
    const wrongToken = await vaultlinkRejection(
      instance.authenticate({ method: "token", settings: {}, secrets: { token: "guess-1234" } }),
    );
    expect(wrongToken.code).toBe("AUTH_FAILED");
    expect(wrongToken.message).not.toContain("guess-1234");
  });

  it("fails AUTH_EXPIRED before signing in", async () => {
    const instance = await memory.provider.create(createTestContext());
    expect((await vaultlinkRejection(get(instance, "mem://db/password"))).code).toBe(
      "AUTH_EXPIRED",
    );
  });

  it("expires sessions by the context clock", async () => {
    memory = createMemoryProvider({ secrets: { a: "value-a" }, sessionTtlMs: 1000 });
    const { instance, session, clock } = await signedIn(memory);
    expect(session.expiresAt).toEqual(new Date(1000));
    clock.advance(999);
    expect(await get(instance, "mem://a")).toMatchObject([{ ok: true }]);
    clock.advance(1);
    expect((await vaultlinkRejection(get(instance, "mem://a"))).code).toBe("AUTH_EXPIRED");
  });

  it("issues sessions without expiry when sessionTtlMs is null", async () => {
    memory = createMemoryProvider({ sessionTtlMs: null });
    const { session } = await signedIn(memory);
    expect(session.expiresAt).toBeUndefined();
  });

  it("expireCredentials fails fetches until a new sign-in", async () => {
    const { instance } = await signedIn(memory);
    memory.faults.expireCredentials();
    memory.faults.clear();
    expect((await vaultlinkRejection(get(instance, "mem://db/password"))).code).toBe(
      "AUTH_EXPIRED",
    );
    await instance.authenticate({ method: "token", settings: {}, secrets: { token: TOKEN } });
    expect(await get(instance, "mem://db/password")).toMatchObject([{ ok: true }]);
  });

  it("accepts a stored session in a new instance", async () => {
    const { session, clock } = await signedIn(memory);
    const restored = await memory.provider.create(createTestContext({ session, clock }));
    expect(await get(restored, "mem://db/password")).toMatchObject([{ value: "initial-pw" }]);
  });

  it("failNext fails the given number of calls, failAlways until clear", async () => {
    const { instance } = await signedIn(memory);
    memory.faults.failNext("THROTTLED", 2);
    expect((await vaultlinkRejection(get(instance, "mem://db/password"))).code).toBe("THROTTLED");
    expect((await vaultlinkRejection(get(instance, "mem://db/password"))).code).toBe("THROTTLED");
    expect(await get(instance, "mem://db/password")).toMatchObject([{ ok: true }]);
    memory.faults.failAlways("UNREACHABLE");
    for (let i = 0; i < 3; i++) {
      expect((await vaultlinkRejection(get(instance, "mem://db/password"))).code).toBe(
        "UNREACHABLE",
      );
    }
    memory.faults.clear();
    expect(await get(instance, "mem://db/password")).toMatchObject([{ ok: true }]);
  });

  it("adds latency when asked", async () => {
    const { instance } = await signedIn(memory);
    memory.faults.latencyMs = 40;
    vi.useFakeTimers();
    try {
      let settled = false;
      const pending = get(instance, "mem://db/password").finally(() => {
        settled = true;
      });
      await vi.advanceTimersByTimeAsync(39);
      expect(settled).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect(settled).toBe(true);
      expect(await pending).toMatchObject([{ ok: true }]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("counts calls and requests, and reset puts everything back", async () => {
    const { instance } = await signedIn(memory);
    await instance.fetch([
      { id: "1", reference: parseMemoryReference("mem://db/password") },
      { id: "2", reference: parseMemoryReference("mem://other") },
    ]);
    memory.store.set("extra", "extra-value");
    memory.faults.failAlways("THROTTLED");
    expect(memory.calls).toEqual({ fetch: 1, authenticate: 1, requests: 2 });
    memory.reset();
    expect(memory.calls).toEqual({ fetch: 0, authenticate: 0, requests: 0 });
    expect(memory.store.names()).toEqual(["db/password"]);
    // The session survives a reset, so a connected integration stays connected.
    expect(await get(instance, "mem://db/password")).toMatchObject([{ ok: true }]);
  });

  it("logs the request count but never a value", async () => {
    const { instance, ctx } = await signedIn(memory);
    await get(instance, "mem://db/password");
    expect(ctx.logger.lines).toEqual([
      { level: "debug", message: "memory provider fetch", fields: { requests: 1 } },
    ]);
  });

  it("refuses to fetch after dispose", async () => {
    const { instance } = await signedIn(memory);
    await instance.dispose();
    expect((await vaultlinkRejection(get(instance, "mem://db/password"))).code).toBe(
      "PROVIDER_ERROR",
    );
  });

  it("validates names given to the store", () => {
    expect(() => memory.store.set("bad name", "v")).toThrow(/not a valid memory secret name/);
  });
});
