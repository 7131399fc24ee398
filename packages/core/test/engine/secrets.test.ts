import { readFile } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
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
