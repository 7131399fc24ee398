import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createVault, type Vault } from "../../src/index.js";
import {
  concurrencyOf,
  defineProvider,
  type ProviderContext,
  type ProviderDefinition,
  withCoreSettings,
} from "../../src/plugin/index.js";

/** A provider that records the context core gives it, with one numeric setting of its own. */
function recordingProvider() {
  const seen: ProviderContext[] = [];
  const provider: ProviderDefinition = defineProvider({
    apiVersion: 1,
    meta: { name: "@test/tuning", version: "1.0.0" },
    id: "tuning",
    title: "Tuning",
    authMethods: [
      {
        id: "token",
        title: "Token",
        options: [{ name: "token", title: "Token", type: "string", secret: true, required: true }],
      },
    ],
    settings: [
      { name: "retries", title: "Retries", type: "integer", min: 0, default: 3 },
      { name: "ratio", title: "Ratio", type: "number", max: 1 },
      { name: "scale", title: "Scale", type: "number" },
    ],
    capabilities: { batch: true, versions: false },
    referenceExamples: ["tuning://x"],
    parseReference: (input) => ({ canonical: input }),
    create(ctx) {
      seen.push(ctx);
      return {
        authenticate: async (input) => ({ credentials: { token: input.secrets.token } }),
        fetch: async (requests) =>
          requests.map((r) => ({ id: r.id, ok: true as const, value: "v" })),
        dispose() {},
      };
    },
  });
  return { provider, seen };
}

describe("core-level options: integer, min and max", () => {
  let vault: Vault | undefined;
  let home: string | undefined;
  afterEach(async () => {
    await vault?.dispose();
    if (home) rmSync(home, { recursive: true, force: true });
    vault = undefined;
    home = undefined;
  });

  async function open(pluginOptions: Record<string, unknown> = {}) {
    const recording = recordingProvider();
    home = mkdtempSync(join(tmpdir(), "vaultlink-core-options-"));
    vault = createVault({
      home,
      providers: [recording.provider],
      keySources: [],
      pluginOptions: { tuning: pluginOptions },
      freshnessMs: 0,
    });
    await vault.create();
    return { vault, ...recording };
  }

  async function fetchContext(
    options: Record<string, unknown>,
    pluginOptions: Record<string, unknown> = {},
  ): Promise<ProviderContext> {
    const t = await open(pluginOptions);
    await t.vault.integrations.connect({ provider: "tuning", options: { token: "t", ...options } });
    await t.vault.links.link("x", { integration: "tuning", reference: "a" });
    await t.vault.resolve("x");
    const ctx = t.seen.at(-1);
    if (!ctx) throw new Error("the provider was never created");
    return ctx;
  }

  it("every provider's settings list core's concurrency, a whole number from 1 to 64", () => {
    const spec = withCoreSettings([]).find((s) => s.name === "concurrency");
    expect(spec).toMatchObject({ type: "integer", min: 1, max: 64 });
  });

  it.each([
    ["0", "must be at least 1, not 0"],
    ["65", "must be at most 64, not 65"],
    ["2.5", 'must be a whole number, not "2.5"'],
    ["many", 'must be a whole number, not "many"'],
    ["", 'must be a whole number, not ""'],
  ])("concurrency %j is refused: %s, with the range and what to type", async (value, words) => {
    const t = await open();
    await expect(
      t.vault.integrations.connect({
        provider: "tuning",
        options: { token: "t", concurrency: value },
      }),
    ).rejects.toMatchObject({
      code: "INVALID_INPUT",
      message: `Option "concurrency" of Tuning ${words}.`,
      hint: expect.stringMatching(
        /^Type a whole number from 1 to 64, for example --concurrency 1\. How many requests/,
      ),
    });
  });

  it("a provider's own numeric settings get the same checks and hints", async () => {
    const t = await open();
    const refuse = (options: Record<string, unknown>) =>
      t.vault.integrations.connect({ provider: "tuning", options: { token: "t", ...options } });
    await expect(refuse({ retries: -1 })).rejects.toMatchObject({
      message: 'Option "retries" of Tuning must be at least 0, not -1.',
      hint: "Type a whole number of at least 0, for example --retries 3.",
    });
    await expect(refuse({ ratio: "1.5" })).rejects.toMatchObject({
      message: 'Option "ratio" of Tuning must be at most 1, not 1.5.',
      hint: "Type a number of at most 1, for example --ratio 1.",
    });
    await expect(refuse({ scale: "wide" })).rejects.toMatchObject({
      message: 'Option "scale" of Tuning must be a number, not "wide".',
      hint: "Type a number, for example --scale 1.",
    });
  });

  it("accepted values reach the provider parsed: ctx.concurrency from the integration", async () => {
    const ctx = await fetchContext({ concurrency: "3", timeoutSeconds: "7" });
    expect(ctx.concurrency).toBe(3);
    expect(ctx.requestTimeoutMs).toBe(7_000);
    expect(ctx.integration.settings).toMatchObject({ concurrency: 3, timeoutSeconds: 7 });
  });

  it("the plugin option applies when the integration has none; the integration's wins", async () => {
    expect((await fetchContext({}, { concurrency: 5 })).concurrency).toBe(5);
    await vault?.dispose();
    expect((await fetchContext({ concurrency: 2 }, { concurrency: 5 })).concurrency).toBe(2);
  });

  it("neither set: ctx.concurrency is absent and the provider's default applies", async () => {
    const ctx = await fetchContext({});
    expect("concurrency" in ctx).toBe(false);
  });
});

describe("concurrencyOf (stored integrations and host config from older versions)", () => {
  it("reads numbers and numeric text, the integration before the plugin option", () => {
    expect(concurrencyOf({ concurrency: 4 }, { concurrency: 9 })).toBe(4);
    expect(concurrencyOf({ concurrency: "6" }, {})).toBe(6);
    expect(concurrencyOf({}, { concurrency: "9" })).toBe(9);
    expect(concurrencyOf({}, {})).toBeUndefined();
  });

  it("a stored value core would refuse today counts as unset, or is kept in range", () => {
    expect(concurrencyOf({ concurrency: 0 }, { concurrency: 3 })).toBe(3);
    expect(concurrencyOf({ concurrency: "lots" }, {})).toBeUndefined();
    expect(concurrencyOf({ concurrency: 2.7 }, {})).toBe(2);
    expect(concurrencyOf({ concurrency: 500 }, {})).toBe(64);
  });
});
