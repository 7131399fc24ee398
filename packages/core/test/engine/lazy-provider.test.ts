import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createVault, lazyProvider, type Vault } from "../../src/index.js";
import { fakeProvider } from "../helpers/fake-provider.js";
import { rejectsWithCode } from "../vault/helpers.js";

describe("lazy provider descriptors: metadata now, the plugin on first use", () => {
  let home: string;
  let vault: Vault | undefined;
  afterEach(async () => {
    await vault?.dispose();
    vault = undefined;
    rmSync(home, { recursive: true, force: true });
  });

  async function open(load: () => Promise<unknown>, meta?: { name: string }) {
    home = mkdtempSync(join(tmpdir(), "vaultlink-lazy-"));
    const loads = { count: 0 };
    vault = createVault({
      home,
      keySources: [],
      freshnessMs: 0,
      providers: [
        lazyProvider({
          id: "fake",
          ...(meta ? { meta } : {}),
          load: () => {
            loads.count++;
            return load();
          },
        }),
      ],
    });
    await vault.create();
    return { vault, loads };
  }

  it("a local secret and a fresh cached value import nothing; the first fetch imports once", async () => {
    const fake = fakeProvider();
    fake.values.set("fake://a", "value-a");
    fake.values.set("fake://b", "value-b");
    const { vault, loads } = await open(async () => ({ default: fake.provider }), {
      name: "@test/fake-provider",
    });
    await vault.secrets.add("local", { value: "plain" });
    expect(await vault.resolve("local")).toMatchObject({ ok: true, source: "local" });
    expect(vault.providers.ids()).toEqual(["fake"]);
    expect(vault.providers.list()).toEqual([]);
    expect(() => vault.providers.get("fake")).toThrowError(/not loaded yet/);
    expect(loads.count).toBe(0);

    await vault.integrations.connect({ provider: "fake", options: { token: "t" } });
    await vault.links.link("a", { integration: "fake", reference: "fake://a" });
    await vault.links.link("b", { integration: "fake", reference: "fake://b" });
    const [a, b] = await vault.resolveMany(["a", "b"]);
    expect([a?.ok && a.value, b?.ok && b.value]).toEqual(["value-a", "value-b"]);
    expect(loads.count).toBe(1);
    expect(vault.providers.get("fake")).toBe(fake.provider);
  });

  it("concurrent first uses share one import", async () => {
    const fake = fakeProvider();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const { vault, loads } = await open(async () => {
      await gate;
      return fake.provider;
    });
    const all = Promise.all([1, 2, 3, 4, 5].map(() => vault.providers.load("fake")));
    release();
    const defs = await all;
    expect(new Set(defs).size).toBe(1);
    expect(loads.count).toBe(1);
  });

  it("what the plugin gives is validated like any provider, and must be the id registered", async () => {
    const other = fakeProvider({ id: "other" });
    const { vault, loads } = await open(async () => other.provider);
    const error = await rejectsWithCode(
      vault.integrations.connect({ provider: "fake", options: { token: "t" } }),
      "PLUGIN_INVALID",
    );
    expect(error.message).toContain('registered as "fake" but its id is "other"');
    // A failed import is tried again by the next use.
    await rejectsWithCode(vault.providers.load("fake"), "PLUGIN_INVALID");
    expect(loads.count).toBe(2);
  });

  it("a module that is not a provider, or a package of another name, is refused", async () => {
    const { vault } = await open(async () => ({ default: { id: "fake" } }));
    await expect(vault.providers.load("fake")).rejects.toThrowError(/not a vaultlink provider/);
    await vault.dispose();
    rmSync(home, { recursive: true, force: true });
    const fake = fakeProvider();
    const second = await open(async () => fake.provider, { name: "@test/another" });
    const e = await rejectsWithCode(second.vault.providers.load("fake"), "PLUGIN_INVALID");
    expect(e.message).toContain(
      "registered as @test/another but its package is @test/fake-provider",
    );
  });

  it("a descriptor with a bad id or no load function is refused when the vault is made", () => {
    home = mkdtempSync(join(tmpdir(), "vaultlink-lazy-"));
    expect(() =>
      createVault({
        home,
        keySources: [],
        providers: [lazyProvider({ id: "Bad Id", load: async () => 1 })],
      }),
    ).toThrowError(/provider #1 is not a valid lazy provider: id must be/);
    expect(() =>
      createVault({
        home,
        keySources: [],
        providers: [
          { ...lazyProvider({ id: "ok", load: async () => 1 }), load: undefined as never },
        ],
      }),
    ).toThrowError(/load is not a function/);
  });
});
