import { afterEach, describe, expect, it } from "vitest";
import { decodeExport } from "../../src/index.js";
import { addSecrets, connectedVault, makeVault, type TestVault } from "../helpers/fake-provider.js";

describe("export and import through the vault", () => {
  const vaults: TestVault[] = [];
  afterEach(async () => {
    for (const v of vaults.splice(0)) await v.cleanup();
  });

  it("exports local values (even disabled or domain-restricted), links and domains; never credentials", async () => {
    const source = await connectedVault({ token: "cred-xyz-9" });
    vaults.push(source);
    await addSecrets(source.vault, {
      plain: { value: "v-plain-1" },
      off: { value: "v-off-2", enabled: false },
      scoped: { value: "v-scoped-3", allowedDomains: ["api.example.com"] },
    });
    await source.vault.links.link("linked", {
      integration: "fake",
      reference: "fake://x",
      jsonKey: "k",
    });

    const { text, secrets } = await source.vault.exportSecrets({ plaintext: true });
    expect(secrets).toBe(4);
    expect(text).not.toContain("cred-xyz-9");

    const target = await makeVault({ providers: [source.fake.provider] });
    vaults.push(target);
    await target.vault.secrets.add("plain", { value: "mine" });
    // A read before the import: the import must not be hidden by the vault's snapshot.
    expect((await target.vault.secrets.list()).map((s) => s.name)).toEqual(["plain"]);
    const report = await target.vault.importSecrets(await decodeExport(text), {
      onConflict: "rename",
    });
    expect(report).toMatchObject({ renamed: [expect.objectContaining({ from: "plain" })] });
    const names = (await target.vault.secrets.list()).map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(["plain", "off", "scoped", "linked"]));
    expect(names).toHaveLength(5);
    expect(await target.vault.resolve("plain")).toMatchObject({ ok: true, value: "mine" });
    expect(await target.vault.resolve("scoped", { url: "https://api.example.com" })).toMatchObject({
      ok: true,
      value: "v-scoped-3",
    });
    expect((await target.vault.secrets.get("off")).enabled).toBe(false);
    expect((await target.vault.secrets.get("linked")).link).toMatchObject({
      reference: "fake://x",
      jsonKey: "k",
    });
    // The integration was not exported: the link waits for a connect.
    expect(await target.vault.resolve("linked")).toMatchObject({
      ok: false,
      reason: "disconnected",
    });
  });
});
