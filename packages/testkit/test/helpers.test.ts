import { vaultlinkError } from "@vaultlink/core/plugin";
import { describe, expect, it } from "vitest";
import {
  collectStrings,
  createTestContext,
  expectNoSecretIn,
  FakeClock,
  findSecretsIn,
} from "../src/index.js";

describe("FakeClock", () => {
  it("moves only when told", () => {
    const clock = new FakeClock(new Date("2030-01-01T00:00:00Z"));
    const start = clock.now();
    expect(clock.now()).toBe(start);
    expect(clock.advance(1500)).toBe(start + 1500);
    expect(clock.date()).toEqual(new Date("2030-01-01T00:00:01.500Z"));
    clock.set(42);
    expect(clock.now()).toBe(42);
  });

  it("refuses to move backwards through advance", () => {
    expect(() => new FakeClock(0).advance(-1)).toThrow(RangeError);
  });
});

describe("createTestContext", () => {
  it("records log lines and saved sessions like a host", async () => {
    const ctx = createTestContext({ integration: { id: "i-1" }, pluginOptions: { a: 1 } });
    expect(ctx.integration).toEqual({ id: "i-1", authMethod: "token", settings: {} });
    expect(ctx.pluginOptions).toEqual({ a: 1 });
    expect(ctx.session).toBeUndefined();
    ctx.logger.warn("slow", { ms: 900 });
    ctx.logger.info("ok");
    expect(ctx.logger.at("warn")).toEqual([
      { level: "warn", message: "slow", fields: { ms: 900 } },
    ]);
    const session = { credentials: { token: "t" } };
    await ctx.saveSession(session);
    expect(ctx.session).toBe(session);
    expect(ctx.savedSessions).toEqual([session]);
    ctx.clock.advance(10);
    expect(ctx.clock).toBeInstanceOf(FakeClock);
  });
});

describe("findSecretsIn / expectNoSecretIn", () => {
  const secrets = ['p@ss"word', "tok-123456", "ab"];

  it("finds secrets in nested objects, errors, causes and bytes", () => {
    const error = vaultlinkError("PROVIDER_ERROR", "failed", {
      details: { body: JSON.stringify({ password: 'p@ss"word' }) },
      cause: new Error("sent tok-123456"),
    });
    expect(findSecretsIn({ list: [error] }, secrets)).toEqual([
      { index: 0, path: "list.0.details.body" },
      { index: 1, path: "list.0.cause.message" },
    ]);
    expect(findSecretsIn(new TextEncoder().encode("x tok-123456"), secrets)).toEqual([
      { index: 1, path: "" },
    ]);
  });

  it("ignores secrets too short to search for", () => {
    expect(findSecretsIn("a message about ab testing", secrets)).toEqual([]);
  });

  it("copes with cycles", () => {
    const a: Record<string, unknown> = { note: "tok-123456" };
    a.self = a;
    expect(findSecretsIn(a, secrets)).toEqual([{ index: 1, path: "note" }]);
  });

  it("throws without repeating the secret", () => {
    expect(() => expectNoSecretIn({ hint: "use tok-123456" }, secrets, "the error")).toThrow(
      "A secret value appears in the error: secret #1 (10 chars) at hint.",
    );
    try {
      expectNoSecretIn("tok-123456", secrets);
    } catch (error) {
      expect((error as Error).message).not.toContain("tok-123456");
    }
    expect(() => expectNoSecretIn({ message: "all clear" }, secrets)).not.toThrow();
  });

  it("collects the strings of a credentials object", () => {
    expect(collectStrings({ token: "t1", nested: { keys: ["k1", 3] } })).toEqual(["t1", "k1"]);
  });
});
