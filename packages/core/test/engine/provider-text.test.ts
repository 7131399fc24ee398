import { afterEach, describe, expect, it } from "vitest";
import { requestTimeoutMsOf } from "../../src/deadline/index.js";
import { defineProvider, type ProviderDefinition } from "../../src/plugin/index.js";
import { makeVault, openAs, TestClock, type TestVault } from "../helpers/fake-provider.js";

const LOCAL = "local-secret-value-8c1d";
const REMOTE = "remote-secret-value-51ae";
const TOKEN = "typed-sign-in-token-0f9e";

/**
 * A provider whose behaviour each test sets: what fetch and authenticate do. It knows
 * the values and the token, and echoes them into its errors as a careless SDK would.
 */
function echoingProvider() {
  const control = {
    fetch: "value" as "value" | "echo-failure" | "throw-plain" | "hang" | "hang-then-fail",
    auth: "ok" as "ok" | "throw-plain" | "hang",
    aborted: 0,
  };
  const provider: ProviderDefinition = defineProvider({
    apiVersion: 1,
    meta: { name: "@test/echo", version: "1.0.0" },
    id: "echo",
    title: "Echo",
    authMethods: [
      {
        id: "token",
        title: "Token",
        options: [{ name: "token", title: "Token", type: "string", secret: true, required: true }],
      },
    ],
    capabilities: { batch: true, versions: false },
    referenceExamples: ["echo://x"],
    parseReference: (input) => ({ canonical: input }),
    create(ctx) {
      const token = String(ctx.session?.credentials.token ?? "");
      return {
        async authenticate(input) {
          if (control.auth === "throw-plain") {
            throw new Error(`login failed for token ${String(input.secrets.token)}`);
          }
          if (control.auth === "hang") await new Promise(() => {});
          return { credentials: { token: input.secrets.token } };
        },
        async fetch(requests, options) {
          options?.signal?.addEventListener("abort", () => control.aborted++);
          if (control.fetch === "hang") await new Promise(() => {});
          if (control.fetch === "hang-then-fail") {
            await new Promise((r) => options?.signal?.addEventListener("abort", r));
            throw new Error("socket closed");
          }
          if (control.fetch === "throw-plain") {
            throw new Error(`HTTP 500: {"value":"${REMOTE}","local":"${LOCAL}","auth":"${token}"}`);
          }
          return requests.map((r) =>
            control.fetch === "echo-failure"
              ? {
                  id: r.id,
                  ok: false as const,
                  code: "PROVIDER_ERROR" as const,
                  message: `400 Bad Request: value ${REMOTE} / token ${token} / ${LOCAL}`,
                  hint: `Bearer ${token}`,
                }
              : { id: r.id, ok: true as const, value: REMOTE },
          );
        },
        dispose() {},
      };
    },
  });
  return { provider, control };
}

describe("provider and plugin text passes core's redaction", () => {
  let t: TestVault;
  afterEach(async () => t?.cleanup());

  async function setUp(settings: Record<string, unknown> = {}) {
    const echo = echoingProvider();
    t = await makeVault({ providers: [echo.provider] });
    await t.vault.integrations.connect({
      provider: "echo",
      options: { token: TOKEN, ...settings },
    });
    await t.vault.secrets.add("local", { value: LOCAL });
    await t.vault.links.link("remote", { integration: "echo", reference: "echo://remote" });
    return echo;
  }

  const everything = (r: unknown) => JSON.stringify(r);

  it("a failure message and hint echoing a fetched value, the token and a local value", async () => {
    const echo = await setUp();
    expect(await t.vault.resolve("remote")).toMatchObject({ ok: true, value: REMOTE });
    await t.vault.cache.reset();
    echo.control.fetch = "echo-failure";
    const r = await t.vault.resolve("remote");
    expect(r.ok).toBe(false);
    const text = everything(r);
    expect(text).toContain("400 Bad Request");
    for (const s of [REMOTE, TOKEN, LOCAL]) expect(text).not.toContain(s);
  });

  it("a plain Error thrown from fetch with secrets in its message", async () => {
    const echo = await setUp();
    // Fetched once in this process, then gone from the cache: still known.
    expect(await t.vault.resolve("remote")).toMatchObject({ ok: true });
    await t.vault.cache.reset();
    echo.control.fetch = "throw-plain";
    const r = await t.vault.resolveTemplate("x={{vault:remote}}");
    const text = everything(r);
    expect(text).toContain("HTTP 500");
    for (const s of [REMOTE, TOKEN, LOCAL]) expect(text).not.toContain(s);
    // A 500 is the provider's failure: the next step does not send the person to the settings.
    expect(text).toContain("try again in a moment");
    expect(text).not.toMatch(/check the integration's settings/);
  });

  it("a value known only from the (expired) cache, in a new process, is redacted too", async () => {
    const clock = new TestClock();
    const echo = echoingProvider();
    t = await makeVault({ providers: [echo.provider], clock });
    await t.vault.integrations.connect({ provider: "echo", options: { token: TOKEN } });
    await t.vault.links.link("remote", { integration: "echo", reference: "echo://remote" });
    expect(await t.vault.resolve("remote")).toMatchObject({ ok: true });
    clock.advance(2 * 60 * 60_000);
    const fresh = echoingProvider();
    fresh.control.fetch = "throw-plain";
    const second = await openAs(t, { providers: [fresh.provider], clock });
    try {
      const r = await second.resolve("remote");
      expect(r.ok).toBe(false);
      expect(everything(r)).toContain("HTTP 500");
      expect(everything(r)).not.toContain(REMOTE);
    } finally {
      await second.dispose();
    }
  });

  it("a plain Error thrown from authenticate with the typed token in it", async () => {
    const echo = echoingProvider();
    echo.control.auth = "throw-plain";
    t = await makeVault({ providers: [echo.provider] });
    const error = await t.vault.integrations
      .connect({ provider: "echo", options: { token: TOKEN } })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "PROVIDER_ERROR", provider: "echo" });
    expect((error as Error).message).toContain("login failed for token");
    expect(everything({ ...(error as object), m: (error as Error).message })).not.toContain(TOKEN);
    expect((error as Error).cause).toBeUndefined();
  });

  it("vault.redact gives hosts the same step for text of their own", async () => {
    await setUp();
    expect(await t.vault.resolve("remote")).toMatchObject({ ok: true });
    expect(t.vault.redact(`a ${LOCAL} b ${REMOTE} c ${TOKEN}`)).toBe(
      "a [redacted] b [redacted] c [redacted]",
    );
  });
});

describe("every provider call has a deadline", () => {
  let t: TestVault;
  afterEach(async () => t?.cleanup());

  async function setUp(settings: Record<string, unknown>) {
    const echo = echoingProvider();
    t = await makeVault({ providers: [echo.provider] });
    await t.vault.integrations.connect({
      provider: "echo",
      options: { token: TOKEN, ...settings },
    });
    await t.vault.links.link("remote", { integration: "echo", reference: "echo://remote" });
    return echo;
  }

  it("a fetch that ignores the signal is cut off by core, the message names the time", async () => {
    const echo = await setUp({ timeoutSeconds: 1 });
    echo.control.fetch = "hang";
    const r = await t.vault.resolve("remote");
    expect(r).toMatchObject({ ok: false, reason: "provider-error" });
    if (r.ok) return;
    expect(r.message).toBe("The Echo request timed out after 1 s.");
    expect(r.fix).toContain("--timeoutSeconds 60");
    expect(echo.control.aborted).toBe(1);
  });

  it("a provider that gives up on the signal is reported as timed out, not with its own error", async () => {
    const echo = await setUp({ timeoutSeconds: 1 });
    echo.control.fetch = "hang-then-fail";
    const r = await t.vault.resolve("remote");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toBe("The Echo request timed out after 1 s.");
  });

  it("the deadline: integration setting, else plugin option, else 30 s; old names still read", () => {
    expect(requestTimeoutMsOf({ timeoutSeconds: 5 }, { timeoutSeconds: 9 })).toBe(5_000);
    expect(requestTimeoutMsOf({}, { timeoutSeconds: 9 })).toBe(9_000);
    expect(requestTimeoutMsOf({}, {})).toBe(30_000);
    // 1Password Connect's stored setting and the AWS plugin option, both in ms.
    expect(requestTimeoutMsOf({ timeoutMs: 250 }, {})).toBe(250);
    expect(requestTimeoutMsOf({}, { requestTimeoutMs: 1_500 })).toBe(1_500);
    expect(requestTimeoutMsOf({ timeoutSeconds: "nonsense" }, {})).toBe(30_000);
  });

  it("a sign-in that hangs fails with UNREACHABLE at the deadline", async () => {
    const echo = echoingProvider();
    echo.control.auth = "hang";
    t = await makeVault({ providers: [echo.provider] });
    await expect(
      t.vault.integrations.connect({
        provider: "echo",
        options: { token: TOKEN, timeoutSeconds: 1 },
      }),
    ).rejects.toMatchObject({
      code: "UNREACHABLE",
      message: "The Echo sign-in timed out after 1 s.",
    });
  });

  it.each([
    ["0", "must be at least 1"],
    ["601", "must be at most 600"],
    ["2.5", "must be a whole number"],
    ["soon", "must be a whole number"],
  ])("timeoutSeconds %s is refused: %s", async (value, words) => {
    const echo = echoingProvider();
    t = await makeVault({ providers: [echo.provider] });
    await expect(
      t.vault.integrations.connect({
        provider: "echo",
        options: { token: TOKEN, timeoutSeconds: value },
      }),
    ).rejects.toMatchObject({ code: "INVALID_INPUT", message: expect.stringContaining(words) });
  });
});
