import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { listVaultNames } from "../../src/quick/index.js";
import { addSecrets, connectedVault } from "../helpers/fake-provider.js";

describe("listVaultNames (names for shell completion)", () => {
  let t: Awaited<ReturnType<typeof connectedVault>> | undefined;
  afterEach(async () => t?.cleanup());

  async function namedVault() {
    const v = await connectedVault({ token: "integration-token-6d21" });
    t = v;
    await addSecrets(v.vault, {
      "stripe-key": { value: "stripe-value-4410" },
      "a.b_c": { value: "dotted-value-9902", enabled: false },
    });
    await v.vault.links.link("db", { integration: "fake", reference: "fake://db" });
    return v;
  }

  it("lists secret names and integration ids, sorted, and nothing else", async () => {
    const v = await namedVault();
    const names = await listVaultNames({ home: v.home, env: { VAULTLINK_VAULT_KEY: v.vaultKey } });
    expect(names).toEqual({ secrets: ["a.b_c", "db", "stripe-key"], integrations: ["fake"] });
    const text = JSON.stringify(names);
    for (const secret of ["stripe-value-4410", "dotted-value-9902", "integration-token-6d21"]) {
      expect(text.includes(secret)).toBe(false);
    }
  });

  it("gives undefined, without asking anyone, when it cannot open the vault", async () => {
    const v = await namedVault();
    // No key from a source that asks nobody.
    expect(await listVaultNames({ home: v.home, env: {}, keySources: [] })).toBeUndefined();
    // A wrong key.
    const other = await connectedVault();
    const wrongKey = other.vaultKey;
    await other.cleanup();
    expect(
      await listVaultNames({ home: v.home, env: { VAULTLINK_VAULT_KEY: wrongKey } }),
    ).toBeUndefined();
    // A malformed key, no vault, a damaged vault file.
    expect(
      await listVaultNames({ home: v.home, env: { VAULTLINK_VAULT_KEY: "not-a-key" } }),
    ).toBeUndefined();
    expect(
      await listVaultNames({
        home: join(v.home, "nowhere"),
        env: { VAULTLINK_VAULT_KEY: v.vaultKey },
      }),
    ).toBeUndefined();
    writeFileSync(join(v.home, "vault.vlt"), "damaged");
    expect(
      await listVaultNames({ home: v.home, env: { VAULTLINK_VAULT_KEY: v.vaultKey } }),
    ).toBeUndefined();
  });
});
