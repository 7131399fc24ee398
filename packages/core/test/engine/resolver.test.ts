import { afterEach, describe, expect, it } from "vitest";
import { createVault, findReferences } from "../../src/index.js";
import { addSecrets, connectedVault, makeVault, type TestVault } from "../helpers/fake-provider.js";

describe("resolver", () => {
  let t: TestVault;
  afterEach(async () => t?.cleanup());

  it("finds every distinct reference in order", () => {
    expect(
      findReferences(
        "{{vault:a}} {{vault:b.c}} {{vault:a}} {{vault:bad name}} {{vault:}} {{other}}",
      ),
    ).toEqual(["a", "b.c"]);
  });

  it("resolves a template and reports each unresolved reference with its reason and fix", async () => {
    t = await connectedVault({ values: { "fake://db": JSON.stringify({ password: "pw" }) } });
    await addSecrets(t.vault, {
      token: { value: "tok-value" },
      blank: {},
      off: { value: "off-value", enabled: false },
      scoped: { value: "scoped-value", allowedDomains: ["api.example.com"] },
    });
    await t.vault.links.link("db", {
      integration: "fake",
      reference: "fake://db",
      jsonKey: "password",
    });
    await t.vault.links.link("gone", { integration: "fake", reference: "fake://nothing" });
    await t.vault.links.link("wrongkey", {
      integration: "fake",
      reference: "fake://db",
      jsonKey: "user",
    });
    const text =
      "A={{vault:token}} B={{vault:db}} C={{vault:nope}} D={{vault:blank}} E={{vault:off}} F={{vault:scoped}} G={{vault:gone}} H={{vault:wrongkey}}";
    const out = await t.vault.resolveTemplate(text, { url: "https://evil.example.net" });
    expect(out.text).toBe(
      "A=tok-value B=pw C={{vault:nope}} D={{vault:blank}} E={{vault:off}} F={{vault:scoped}} G={{vault:gone}} H={{vault:wrongkey}}",
    );
    const reasons = Object.fromEntries(out.unresolved.map((u) => [u.name, u.reason]));
    expect(reasons).toEqual({
      nope: "missing",
      blank: "empty",
      off: "disabled",
      scoped: "domain-not-allowed",
      gone: "provider-error",
      wrongkey: "provider-error",
    });
    const byName = Object.fromEntries(out.unresolved.map((u) => [u.name, u]));
    expect(byName.nope?.fix).toBe("add it: vaultlink secret add nope");
    expect(byName.off?.fix).toBe("enable it: vaultlink secret enable off");
    expect(byName.gone?.code).toBe("NOT_FOUND");
    // The provider gave no hint: the fix comes from its error code and names the link.
    expect(byName.gone?.fix).toBe(
      "check that fake://nothing exists, or link the right one: vaultlink secret link gone fake <reference>",
    );
    expect(byName.wrongkey?.code).toBe("JSON_KEY_MISSING");
    expect(byName.wrongkey?.message).toContain('"user"');
    expect(JSON.stringify(out.unresolved)).not.toMatch(/pw|scoped-value|off-value/);
    const allowed = await t.vault.resolveTemplate("{{vault:scoped}}", {
      url: "https://api.example.com/v1",
    });
    expect(allowed.text).toBe("scoped-value");
  });

  it("reports locked for every reference of a locked vault", async () => {
    t = await makeVault();
    await t.vault.secrets.add("x", { value: "y" });
    const locked = createVault({ home: t.home, keySources: [] });
    const out = await locked.resolveTemplate("{{vault:x}}");
    expect(out.unresolved).toEqual([
      expect.objectContaining({
        name: "x",
        reason: "locked",
        fix: expect.stringContaining("VAULTLINK_VAULT_KEY"),
      }),
    ]);
    await locked.dispose();
  });

  it("a value that is not JSON gives an error naming the key, never the value", async () => {
    t = await connectedVault({ values: { "fake://plain": "plain-secret-text" } });
    await t.vault.links.link("p", { integration: "fake", reference: "fake://plain", jsonKey: "k" });
    const r = await t.vault.resolve("p");
    expect(r).toMatchObject({ ok: false, reason: "provider-error", code: "NOT_JSON" });
    expect(!r.ok && r.message).toContain('"k"');
    expect(JSON.stringify(r)).not.toContain("plain-secret-text");
  });

  it("refuses an invalid reference before saving the link", async () => {
    t = await connectedVault();
    const err = await t.vault.links
      .link("x", { integration: "fake", reference: "nope" })
      .catch((e) => e);
    expect(err.code).toBe("INVALID_REFERENCE");
    expect(await t.vault.secrets.has("x")).toBe(false);
  });
});
