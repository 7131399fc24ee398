import { readFile } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
import { defineProvider, providerError, validateProvider } from "../../src/plugin/index.js";
import {
  connectedVault,
  fakeProvider,
  makeVault,
  TestClock,
  type TestVault,
} from "../helpers/fake-provider.js";

async function rejection(promise: Promise<unknown>) {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: unknown) => e as { code: string; message: string; hint?: string },
  );
}

describe("secret link: refusals made before anything is saved", () => {
  let t: TestVault;
  afterEach(async () => t?.cleanup());

  it("refuses a disconnected integration, with the command that connects it again", async () => {
    const c = await connectedVault({ values: { "fake://a": "va" } });
    t = c;
    await t.vault.integrations.disconnect("fake");
    const before = await readFile(t.vault.paths.vaultFile);
    const e = await rejection(
      t.vault.links.link("x", { integration: "fake", reference: "fake://a" }),
    );
    expect(e).toMatchObject({ code: "INTEGRATION_DISCONNECTED" });
    expect(e.message).toBe('Integration "fake" is disconnected; a link to it would not resolve.');
    expect(e.hint).toBe("Connect it again first: vaultlink integration connect fake.");
    expect(await readFile(t.vault.paths.vaultFile)).toEqual(before);
    expect(await t.vault.secrets.has("x")).toBe(false);
  });

  it("names --id in the fix when the integration id is not the provider id", async () => {
    const fake = fakeProvider();
    t = await makeVault({ providers: [fake.provider] });
    await t.vault.integrations.connect({ provider: "fake", id: "work", options: { token: "t" } });
    await t.vault.integrations.disconnect("work");
    const e = await rejection(
      t.vault.links.link("x", { integration: "work", reference: "fake://a" }),
    );
    expect(e.hint).toBe("Connect it again first: vaultlink integration connect fake --id work.");
  });

  it("validates --version through the provider's parseVersion hook, at link time", async () => {
    const base = fakeProvider();
    base.values.set("fake://a@3", "v3");
    const calls: string[] = [];
    const provider = defineProvider({
      ...base.provider,
      parseVersion(input) {
        calls.push(input);
        if (!/^[1-9]\d*$/.test(input.trim()))
          throw providerError("fake", "INVALID_REFERENCE", `"${input}" is not a version.`);
        return input.trim();
      },
    });
    t = await makeVault({ providers: [validateProvider(provider, "test")] });
    await t.vault.integrations.connect({ provider: "fake", options: { token: "t" } });
    for (const bad of ["abc", "-3", "0", ""]) {
      await expect(
        t.vault.links.link("x", { integration: "fake", reference: "fake://a", version: bad }),
      ).rejects.toMatchObject({ code: "INVALID_REFERENCE" });
    }
    expect(await t.vault.secrets.has("x")).toBe(false);
    const linked = await t.vault.links.link("x", {
      integration: "fake",
      reference: "fake://a",
      version: " 3 ",
    });
    expect(linked.link?.version).toBe("3");
    expect(await t.vault.resolve("x")).toMatchObject({ ok: true, value: "v3" });
    expect(calls).toEqual(["abc", "-3", "0", "", " 3 ", "3"]); // link checks, then fetch
  });

  it("without a hook, a blank version is refused and a provider without versions refuses any", async () => {
    const c = await connectedVault({ values: { "fake://a": "va" } });
    t = c;
    await expect(
      t.vault.links.link("x", { integration: "fake", reference: "fake://a", version: "  " }),
    ).rejects.toMatchObject({ code: "INVALID_REFERENCE", message: "The version is empty." });
    expect(() =>
      validateProvider({ ...c.fake.provider, parseVersion: "not a function" } as unknown, "broken"),
    ).toThrow(/parseVersion is not a function/);
  });
});

describe("secret link: the provider's own link options", () => {
  let t: TestVault;
  afterEach(async () => t?.cleanup());

  /** The fake provider with a `role` link option it checks, and the options each fetch got. */
  async function withRoleOption() {
    const base = fakeProvider();
    base.values.set("fake://a", "va");
    const seen: Array<Record<string, string> | undefined> = [];
    const provider = defineProvider({
      ...base.provider,
      linkOptions: [{ name: "role", title: "Role", type: "string" }],
      parseLinkOptions(options) {
        if (options.role !== undefined && !/^role\/[a-z]+$/.test(options.role)) {
          throw providerError("fake", "INVALID_REFERENCE", `"${options.role}" is not a role.`);
        }
        return options;
      },
      async create(ctx) {
        const instance = await base.provider.create(ctx);
        return {
          ...instance,
          authenticate: (input) => instance.authenticate(input),
          async fetch(requests, options) {
            for (const r of requests) seen.push(r.options);
            return instance.fetch(requests, options);
          },
        };
      },
    });
    t = await makeVault({ providers: [validateProvider(provider, "test")] });
    await t.vault.integrations.connect({ provider: "fake", options: { token: "t" } });
    return seen;
  }

  it("checks them through the hook at link time, stores them and hands them to fetch", async () => {
    const seen = await withRoleOption();
    const before = await readFile(t.vault.paths.vaultFile);
    await expect(
      t.vault.links.link("x", {
        integration: "fake",
        reference: "fake://a",
        options: { role: "Admin!" },
      }),
    ).rejects.toMatchObject({ code: "INVALID_REFERENCE", message: '"Admin!" is not a role.' });
    await expect(
      t.vault.links.link("x", {
        integration: "fake",
        reference: "fake://a",
        options: { team: "x" },
      }),
    ).rejects.toMatchObject({ code: "INVALID_INPUT", hint: "Link options: role." });
    await expect(
      t.vault.links.link("x", {
        integration: "fake",
        reference: "fake://a",
        options: { role: " " },
      }),
    ).rejects.toMatchObject({ code: "INVALID_INPUT" });
    expect(await readFile(t.vault.paths.vaultFile)).toEqual(before);

    const info = await t.vault.links.link("x", {
      integration: "fake",
      reference: "fake://a",
      options: { role: " role/reader " },
    });
    expect(info.link?.options).toEqual({ role: "role/reader" });
    await t.vault.links.link("y", { integration: "fake", reference: "fake://a" });
    expect(await t.vault.resolve("x")).toMatchObject({ ok: true, value: "va" });
    expect(await t.vault.resolve("y")).toMatchObject({ ok: true, value: "va" });
    // Two cache entries: the option is part of the key, so one link never serves the other's.
    expect(seen).toEqual([{ role: "role/reader" }, undefined]);
    expect((await t.vault.cache.status()).entries).toHaveLength(2);
  });

  it("a provider without link options refuses any", async () => {
    const c = await connectedVault({ values: { "fake://a": "va" } });
    t = c;
    await expect(
      t.vault.links.link("x", {
        integration: "fake",
        reference: "fake://a",
        options: { role: "r" },
      }),
    ).rejects.toMatchObject({
      code: "INVALID_INPUT",
      message: 'Fake links have no option "role".',
    });
  });
});

describe("secret link: the check against the provider", () => {
  let t: TestVault;
  afterEach(async () => t?.cleanup());

  it("fetches the reference once, without caching it, and saves the link", async () => {
    const c = await connectedVault({ values: { "fake://a": '{"user":"app"}' } });
    t = c;
    const info = await t.vault.links.link("x", {
      integration: "fake",
      reference: "fake://a",
      jsonKey: "user",
      check: true,
    });
    expect(info.checked).toBe(true);
    expect(c.fake.calls.fetch).toBe(1);
    expect((await t.vault.cache.status()).entries).toEqual([]);
    expect(await t.vault.resolve("x")).toMatchObject({ ok: true, value: "app" });
  });

  it.each([
    ["a reference that does not exist", { reference: "fake://nope" }, "NOT_FOUND", /not found/],
    [
      "a JSON key that is not there",
      { reference: "fake://a", jsonKey: "password" },
      "JSON_KEY_MISSING",
      /password/,
    ],
    [
      "a value that is not JSON",
      { reference: "fake://plain", jsonKey: "user" },
      "NOT_JSON",
      /JSON/,
    ],
    [
      "a version that does not exist",
      { reference: "fake://a", version: "7" },
      "NOT_FOUND",
      /not found/,
    ],
  ])("refuses %s and saves nothing", async (_what, input, code, says) => {
    const c = await connectedVault({
      values: { "fake://a": '{"user":"app"}', "fake://plain": "text" },
    });
    t = c;
    await t.vault.secrets.add("x", { value: "local" });
    const before = await readFile(t.vault.paths.vaultFile);
    const e = await rejection(
      t.vault.links.link("x", { integration: "fake", ...input, check: true }),
    );
    expect(e.code).toBe(code);
    expect(e.message).toMatch(/^Checking fake:\/\/\w+ failed, so x was not linked: /);
    expect(e.message).toMatch(says);
    expect(e.message).not.toContain("app");
    expect(await readFile(t.vault.paths.vaultFile)).toEqual(before);
    // Without the check the same link is saved (offline linking).
    const saved = await t.vault.links.link("x", { integration: "fake", ...input });
    expect(saved.checked).toBe(false);
  });

  it("an unreachable provider or an expired sign-in points at --no-check", async () => {
    const clock = new TestClock();
    const c = await connectedVault({ values: { "fake://a": "va" }, clock });
    t = c;
    c.fake.failWith = { code: "UNREACHABLE" };
    const down = await rejection(
      t.vault.links.link("x", { integration: "fake", reference: "fake://a", check: true }),
    );
    expect(down.code).toBe("UNREACHABLE");
    expect(down.hint).toMatch(/or link without checking: add --no-check\.$/);
    c.fake.failWith = { code: "AUTH_EXPIRED" };
    const expired = await rejection(
      t.vault.links.link("x", { integration: "fake", reference: "fake://a", check: true }),
    );
    expect(expired.code).toBe("AUTH_EXPIRED");
    expect(expired.hint).toBe(
      "run vaultlink integration reauth fake; or link without checking: add --no-check.",
    );
    expect((await t.vault.integrations.status("fake")).status).toBe("auth-expired");
    expect(await t.vault.secrets.has("x")).toBe(false);
  });
});

describe("reusing a disconnected integration's id for another provider", () => {
  let t: TestVault;
  afterEach(async () => t?.cleanup());

  async function setup() {
    const one = fakeProvider({ id: "one" });
    const two = fakeProvider({ id: "two" });
    one.values.set("fake://a", "va");
    t = await makeVault({ providers: [one.provider, two.provider] });
    await t.vault.integrations.connect({ provider: "one", id: "main", options: { token: "t" } });
    await t.vault.links.link("x", { integration: "main", reference: "fake://a" });
    await t.vault.integrations.disconnect("main");
  }

  it("is refused while secrets still link to it, naming them", async () => {
    await setup();
    const before = await readFile(t.vault.paths.vaultFile);
    const e = await rejection(
      t.vault.integrations.connect({ provider: "two", id: "main", options: { token: "t" } }),
    );
    expect(e.code).toBe("INTEGRATION_EXISTS");
    expect(e.message).toBe(
      'Integration id "main" belonged to a one integration, and 1 secret is still linked to it (x).',
    );
    expect(e.hint).toContain("--id main-two");
    expect(e.hint).toContain("vaultlink secret unlink x");
    expect(await readFile(t.vault.paths.vaultFile)).toEqual(before);
  });

  it("is allowed once nothing links to it, and for the same provider at any time", async () => {
    await setup();
    await t.vault.integrations.connect({ provider: "one", id: "main", options: { token: "t" } });
    expect(await t.vault.resolve("x")).toMatchObject({ ok: true, value: "va" });
    await t.vault.integrations.disconnect("main");
    await t.vault.links.unlink("x");
    const info = await t.vault.integrations.connect({
      provider: "two",
      id: "main",
      options: { token: "t" },
    });
    expect(info).toMatchObject({ id: "main", provider: "two", status: "connected" });
  });
});
