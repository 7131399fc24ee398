import { readFile } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
import { MAX_RENAMES } from "../../src/index.js";
import { connectedVault, makeVault, TestClock, type TestVault } from "../helpers/fake-provider.js";

describe("vault secrets: create, read, update, rename, delete, list", () => {
  let t: TestVault;
  afterEach(async () => t?.cleanup());

  it("runs the whole cycle with timestamps from the vault's clock", async () => {
    const clock = new TestClock(Date.parse("2026-01-02T03:04:05.000Z"));
    t = await makeVault({ clock });
    const created = await t.vault.secrets.add("stripe-key", {
      value: "sk_1",
      allowedDomains: ["api.stripe.com"],
    });
    expect(created).toEqual({
      name: "stripe-key",
      kind: "local",
      hasValue: true,
      allowedDomains: ["api.stripe.com"],
      enabled: true,
      createdAt: "2026-01-02T03:04:05.000Z",
      updatedAt: "2026-01-02T03:04:05.000Z",
    });
    // Reading a secret shows everything but its value.
    expect(JSON.stringify(await t.vault.secrets.get("stripe-key"))).not.toContain("sk_1");
    clock.advance(60_000);
    const updated = await t.vault.secrets.update("stripe-key", { value: "sk_2", enabled: false });
    expect(updated).toMatchObject({ enabled: false, updatedAt: "2026-01-02T03:05:05.000Z" });
    expect(updated.createdAt).toBe("2026-01-02T03:04:05.000Z");
    await t.vault.secrets.update("stripe-key", { enabled: true });
    await t.vault.secrets.rename("stripe-key", "stripe.live_key");
    expect(await t.vault.secrets.has("stripe-key")).toBe(false);
    expect(
      await t.vault.resolve("stripe.live_key", { url: "https://api.stripe.com" }),
    ).toMatchObject({ ok: true, value: "sk_2" });
    await t.vault.secrets.add("a-first", { value: "x" });
    expect((await t.vault.secrets.list()).map((s) => s.name)).toEqual([
      "a-first",
      "stripe.live_key",
    ]);
    await t.vault.secrets.delete("a-first");
    expect((await t.vault.secrets.list()).map((s) => s.name)).toEqual(["stripe.live_key"]);
  });

  it("refuses bad names, duplicates and unknown secrets with their own codes; the file is unchanged", async () => {
    t = await makeVault();
    await t.vault.secrets.add("taken", { value: "v" });
    await t.vault.secrets.add("other", { value: "w" });
    const before = await readFile(t.vault.paths.vaultFile);
    // Thunks, run one at a time: each must fail on its own, against an unchanged vault.
    const attempts: Array<[() => Promise<unknown>, string, RegExp]> = [
      [() => t.vault.secrets.add("has space", { value: "v" }), "INVALID_NAME", /"has space"/],
      [() => t.vault.secrets.add("", { value: "v" }), "INVALID_NAME", /not a valid secret name/],
      [
        () => t.vault.secrets.add("taken", { value: "v" }),
        "SECRET_EXISTS",
        /"taken" already exists/,
      ],
      [() => t.vault.secrets.rename("other", "taken"), "SECRET_EXISTS", /"taken" already exists/],
      [() => t.vault.secrets.rename("other", "bad/name"), "INVALID_NAME", /"bad\/name"/],
      [() => t.vault.secrets.update("nope", { value: "v" }), "SECRET_NOT_FOUND", /"nope"/],
      [() => t.vault.secrets.delete("nope"), "SECRET_NOT_FOUND", /"nope"/],
      [
        () => t.vault.secrets.add("scoped", { value: "v", allowedDomains: ["ftp://x.example"] }),
        "INVALID_INPUT",
        /ftp:\/\/x\.example/,
      ],
    ];
    for (const [attempt, code, message] of attempts) {
      const error = await attempt().then(
        () => undefined,
        (e: { code: string; message: string; hint?: string }) => e,
      );
      expect(error?.code).toBe(code);
      expect(error?.message).toMatch(message);
      expect(error?.hint).toBeTruthy();
    }
    expect(Buffer.compare(await readFile(t.vault.paths.vaultFile), before)).toBe(0);
    expect((await t.vault.secrets.list()).map((s) => s.name)).toEqual(["other", "taken"]);
  });

  it("a linked secret keeps its link in the record and refuses a local value", async () => {
    t = await connectedVault({ values: { "fake://db": "db-value" } });
    await t.vault.links.link("db", { integration: "fake", reference: "fake://db", version: "3" });
    expect(await t.vault.secrets.get("db")).toMatchObject({
      kind: "linked",
      hasValue: false,
      link: { integration: "fake", reference: "fake://db", version: "3" },
    });
    const error = await t.vault.secrets.update("db", { value: "local" }).catch((e) => e);
    expect(error.code).toBe("INVALID_INPUT");
    expect(error.hint).toContain("vaultlink secret unlink db");
    await t.vault.links.unlink("db");
    expect(await t.vault.secrets.get("db")).toMatchObject({ kind: "local", hasValue: false });
  });
});

describe("renames are remembered for references that still use an old name", () => {
  let t: TestVault;
  afterEach(async () => t?.cleanup());

  it("reports the new name, follows later renames, and forgets names in use again", async () => {
    t = await makeVault();
    await t.vault.secrets.add("api-key", { value: "renamed-value-4410" });
    await t.vault.secrets.rename("api-key", "stripe-key");
    const old = await t.vault.resolve("api-key");
    expect(old).toMatchObject({
      ok: false,
      reason: "missing",
      message: 'There is no secret named "api-key": it was renamed to "stripe-key".',
      fix: "use the new name, {{vault:stripe-key}}, or rename it back: vaultlink secret rename stripe-key api-key",
    });
    expect(JSON.stringify(old)).not.toContain("renamed-value-4410");
    // A second rename: both earlier names lead to the current one.
    await t.vault.secrets.rename("stripe-key", "stripe-live");
    expect(await t.vault.secrets.renames()).toEqual([
      { from: "api-key", to: "stripe-live" },
      { from: "stripe-key", to: "stripe-live" },
    ]);
    const template = await t.vault.resolveTemplate("{{vault:api-key}} {{vault:stripe-key}}");
    expect(template.unresolved.map((u) => u.message)).toEqual([
      'There is no secret named "api-key": it was renamed to "stripe-live".',
      'There is no secret named "stripe-key": it was renamed to "stripe-live".',
    ]);
    // A name in use again resolves as itself; a deleted target leaves a plain "missing".
    await t.vault.secrets.add("api-key", { value: "new-api-value" });
    expect(await t.vault.resolve("api-key")).toMatchObject({ ok: true, value: "new-api-value" });
    await t.vault.secrets.delete("stripe-live");
    expect(await t.vault.resolve("stripe-key")).toMatchObject({
      reason: "missing",
      fix: "add it: vaultlink secret add stripe-key",
    });
    expect(await t.vault.secrets.renames()).toEqual([]);
  });

  it("keeps only the newest MAX_RENAMES renames", async () => {
    t = await makeVault();
    await t.vault.secrets.add("s0", { value: "v" });
    for (let i = 0; i < MAX_RENAMES + 3; i++) await t.vault.secrets.rename(`s${i}`, `s${i + 1}`);
    const renames = await t.vault.secrets.renames();
    expect(renames).toHaveLength(MAX_RENAMES);
    expect(renames[0]).toEqual({ from: "s3", to: `s${MAX_RENAMES + 3}` });
    // The oldest names were forgotten: a plain "missing".
    expect(await t.vault.resolve("s2")).toMatchObject({
      ok: false,
      message: 'There is no secret named "s2".',
    });
  });
});
