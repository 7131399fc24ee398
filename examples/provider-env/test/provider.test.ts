import { readFile, rm } from "node:fs/promises";
import type { FetchResult, ProviderSession } from "@vaultlink/core/plugin";
import { createTestContext, expectNoSecretIn, type TestContext } from "@vaultlink/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import provider, { hashPassphrase } from "../src/index.js";
import { createFixtureDir, type FixtureDir, VALUES } from "./support/fixture-dir.js";

let fixture: FixtureDir;
beforeAll(async () => {
  fixture = await createFixtureDir();
});
afterAll(() => fixture.remove());

function context(settings: Record<string, unknown>, authMethod = "none"): TestContext {
  return createTestContext({ integration: { id: "env", authMethod, settings } });
}

async function fetchRefs(ctx: TestContext, references: string[]): Promise<FetchResult[]> {
  const instance = await provider.create(ctx);
  try {
    return await instance.fetch(
      references.map((r, i) => ({ id: `r${i}`, reference: provider.parseReference(r) })),
    );
  } finally {
    await instance.dispose();
  }
}

function byId(results: FetchResult[]): Record<string, FetchResult> {
  return Object.fromEntries(results.map((r) => [r.id, r]));
}

const allValues = Object.values(VALUES);

describe("references", () => {
  it("keeps the variable's case and lowercases the scheme", () => {
    expect(provider.parseReference("ENV://Db_Url")).toMatchObject({
      canonical: "env://Db_Url",
      kind: "env",
      name: "Db_Url",
    });
    expect(provider.parseReference(" cmd://gh-token ").canonical).toBe("cmd://gh-token");
  });

  it("says what is wrong with a bad reference", () => {
    expect(() => provider.parseReference("vault://x")).toThrow(/not a scheme of this provider/);
    expect(() => provider.parseReference("env://9LIVES")).toThrow(/not a variable name/);
  });
});

describe("env://", () => {
  it("reads the process environment when no env file is set", async () => {
    process.env.VLX_UNIT_PROCESS_VAR = "process-value-11aa";
    try {
      const [result] = await fetchRefs(context({}), ["env://VLX_UNIT_PROCESS_VAR"]);
      expect(result).toEqual({ id: "r0", ok: true, value: "process-value-11aa" });
    } finally {
      delete process.env.VLX_UNIT_PROCESS_VAR;
    }
  });

  it("reads only the env file when one is set", async () => {
    process.env.VLX_ONLY_IN_PROCESS = "process-only-22bb";
    try {
      const results = byId(
        await fetchRefs(context({ envFile: fixture.envFile }), [
          "env://VLX_API_KEY",
          "env://VLX_ONLY_IN_PROCESS",
        ]),
      );
      expect(results.r0).toMatchObject({ ok: true, value: VALUES.apiKey });
      expect(results.r1).toMatchObject({ ok: false, code: "NOT_FOUND" });
    } finally {
      delete process.env.VLX_ONLY_IN_PROCESS;
    }
  });

  it("denies variables outside the allow list, naming the variable", async () => {
    const results = byId(
      await fetchRefs(context({ envFile: fixture.envFile, allow: "VLX_, APP_" }), [
        "env://OUTSIDE_SECRET",
        "env://VLX_DB_PASSWORD",
      ]),
    );
    expect(results.r0).toMatchObject({ ok: false, code: "PERMISSION_DENIED" });
    expect(results.r0 && !results.r0.ok && results.r0.message).toContain("OUTSIDE_SECRET");
    expect(results.r1).toMatchObject({ ok: true, value: VALUES.dbPassword });
    expectNoSecretIn(results.r0, allValues);
  });

  it("is unreachable when the env file cannot be read, and commands still run", async () => {
    const missing = `${fixture.dir}/no-such.env`;
    const results = byId(
      await fetchRefs(context({ envFile: missing, commands: fixture.commands }), [
        "env://VLX_DB_PASSWORD",
        "cmd://deploy-token",
      ]),
    );
    expect(results.r0).toMatchObject({ ok: false, code: "UNREACHABLE" });
    expect(results.r0 && !results.r0.ok && results.r0.message).toContain("no-such.env");
    expect(results.r1).toMatchObject({ ok: true, value: VALUES.deployToken });
  });
});

describe("cmd://", () => {
  it("fails PROVIDER_ERROR naming the command, without its output", async () => {
    const [result] = await fetchRefs(context({ commands: fixture.commands }), ["cmd://failing"]);
    expect(result).toMatchObject({ ok: false, code: "PROVIDER_ERROR" });
    expect(result && !result.ok && result.message).toMatch(/"failing" exited with code 3/);
    expectNoSecretIn(result, allValues);
  });

  it("fails NOT_FOUND for a command that is not configured", async () => {
    const [result] = await fetchRefs(context({ commands: fixture.commands }), ["cmd://nope"]);
    expect(result).toMatchObject({ ok: false, code: "NOT_FOUND" });
  });

  it("fails NOT_FOUND when the command prints nothing", async () => {
    const [result] = await fetchRefs(context({ commands: fixture.commands }), ["cmd://silent"]);
    expect(result).toMatchObject({ ok: false, code: "NOT_FOUND" });
  });

  it("stops a command at the timeout and reports UNREACHABLE", async () => {
    // The script sleeps 5 s and then prints a value: only a kill at the timeout fails it.
    const [result] = await fetchRefs(context({ commands: fixture.commands, timeoutMs: 200 }), [
      "cmd://slow",
    ]);
    expect(result).toMatchObject({ ok: false, code: "UNREACHABLE" });
    expect(result && !result.ok && result.message).toBe(
      'The command "slow" did not finish within 200 ms.',
    );
  });

  it("is unreachable when the binary is missing", async () => {
    const commands = JSON.stringify({ gone: [`${fixture.dir}/not-installed`] });
    const [result] = await fetchRefs(context({ commands }), ["cmd://gone"]);
    expect(result).toMatchObject({ ok: false, code: "UNREACHABLE" });
  });

  it("runs a command once per call however many references name it", async () => {
    await rm(fixture.counterFile, { force: true });
    const results = await fetchRefs(context({ commands: fixture.commands }), [
      "cmd://counted",
      "cmd://counted",
      "CMD://counted",
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, true, true]);
    expect((await readFile(fixture.counterFile, "utf8")).trim().split("\n")).toHaveLength(1);
  });

  it("fails every request with a clear message when the commands setting is not JSON", async () => {
    const results = await fetchRefs(context({ commands: "{gh:" }), ["cmd://a", "env://B"]);
    expect(results).toHaveLength(2);
    for (const result of results) {
      expect(result).toMatchObject({ ok: false, code: "PROVIDER_ERROR" });
      expect(!result.ok && result.message).toMatch(/"commands" is not valid JSON/);
    }
  });
});

describe("rate limit", () => {
  it("throttles lookups beyond the limit per second, per source", async () => {
    const ctx = context({ envFile: fixture.envFile, rateLimit: 2 });
    const instance = await provider.create(ctx);
    const ref = provider.parseReference("env://VLX_API_KEY");
    const first = await instance.fetch([
      { id: "a", reference: ref },
      { id: "b", reference: ref },
      { id: "c", reference: ref },
    ]);
    expect(byId(first).c).toMatchObject({ ok: false, code: "THROTTLED" });
    expect(first.filter((r) => r.ok)).toHaveLength(2);
    ctx.clock.advance(1000);
    expect(await instance.fetch([{ id: "d", reference: ref }])).toMatchObject([{ ok: true }]);
  });
});

describe("passphrase", () => {
  const passphrase = "unit-passphrase-3c9d";
  let tokenHash: string;
  beforeAll(async () => {
    tokenHash = await hashPassphrase(passphrase);
  });

  async function signedIn(
    settings: Record<string, unknown> = {},
  ): Promise<{ ctx: TestContext; session: ProviderSession }> {
    const ctx = context({ envFile: fixture.envFile, tokenHash, ...settings }, "passphrase");
    const instance = await provider.create(ctx);
    const session = await instance.authenticate({
      method: "passphrase",
      settings: { tokenHash, sessionTtlSeconds: 60 },
      secrets: { token: passphrase },
    });
    await ctx.saveSession(session);
    return { ctx, session };
  }

  it("hashes with scrypt and a random salt", async () => {
    const again = await hashPassphrase(passphrase);
    expect(tokenHash).toMatch(/^scrypt:[0-9a-f]{32}:[0-9a-f]{64}$/);
    expect(again).not.toBe(tokenHash);
  });

  it("fails AUTH_FAILED for a wrong passphrase or a malformed hash", async () => {
    const instance = await provider.create(context({}, "passphrase"));
    for (const [token, hash] of [
      ["not-the-passphrase", tokenHash],
      [passphrase, "sha1:abc"],
    ]) {
      const attempt = instance.authenticate({
        method: "passphrase",
        settings: { tokenHash: hash },
        secrets: { token },
      });
      await expect(attempt).rejects.toMatchObject({ code: "AUTH_FAILED" });
      await attempt.catch((error) => expectNoSecretIn(error, [passphrase, "not-the-passphrase"]));
    }
  });

  it("issues a session that ends by ctx.clock and then fails AUTH_EXPIRED", async () => {
    const { ctx, session } = await signedIn();
    expect(session.expiresAt?.getTime()).toBe(ctx.clock.now() + 60_000);
    expect(await fetchRefs(ctx, ["env://VLX_API_KEY"])).toMatchObject([{ ok: true }]);
    ctx.clock.advance(60_000);
    await expect(fetchRefs(ctx, ["env://VLX_API_KEY"])).rejects.toMatchObject({
      code: "AUTH_EXPIRED",
      hint: expect.stringContaining("reauth"),
    });
  });

  it("ends sessions when the stored hash changes", async () => {
    const { ctx } = await signedIn();
    ctx.integration.settings.tokenHash = await hashPassphrase("a-new-passphrase-77de");
    await expect(fetchRefs(ctx, ["env://VLX_API_KEY"])).rejects.toMatchObject({
      code: "AUTH_EXPIRED",
      message: expect.stringMatching(/changed/),
    });
  });

  it("fails AUTH_EXPIRED before any sign-in", async () => {
    const ctx = context({ envFile: fixture.envFile }, "passphrase");
    await expect(fetchRefs(ctx, ["env://VLX_API_KEY"])).rejects.toMatchObject({
      code: "AUTH_EXPIRED",
    });
  });
});
