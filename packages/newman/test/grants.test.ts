/**
 * Remembered pm.vault grants (Postman's per-collection grant prompt, for runs nobody can answer):
 * `vaultlink-newman grant` writes one into the encrypted vault for the collection as it is; a
 * run with --vault-scripts then needs no --vault-grant; a changed collection, a revoked grant or
 * a run without --vault-scripts is denied.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { COLLECTION, FIXTURES, runBin, useRunSetup } from "./helpers.js";

describe("remembered pm.vault grants", () => {
  const setup = useRunSetup();
  const key = () => ({ VAULTLINK_VAULT_KEY: setup.t.vaultKey });

  /** A run of `collection` whose test passes when pm.vault's outcome is `expectVault`. */
  const runWith = (collection: string, expectVault: string, extra: string[] = []) =>
    runBin(
      setup,
      [
        "run",
        collection,
        "-d",
        join(FIXTURES, "data.json"),
        "--env-var",
        `port=${setup.server.port}`,
        "--env-var",
        `expectVault=${expectVault}`,
        "-r",
        "cli",
        ...extra,
      ],
      key(),
    );

  it("a grant lets the collection's scripts use pm.vault with --vault-scripts alone", async () => {
    const before = await runWith(COLLECTION, "Vault access denied", ["--vault-scripts"]);
    expect(before.status, before.stdout.slice(-400)).toBe(0);
    expect(await setup.t.vault.secrets.has("written-by-script")).toBe(false);

    const granted = await runBin(setup, ["grant", COLLECTION], key());
    expect(granted.status, granted.stderr).toBe(0);
    expect(granted.stdout).toContain('"vaultlink fixture"');
    const list = await runBin(setup, ["grants"], key());
    expect(list.stdout).toContain("vaultlink fixture");

    const after = await runWith(COLLECTION, "granted", ["--vault-scripts"]);
    expect(after.status, after.stdout.slice(-400)).toBe(0);
    expect(await setup.t.vault.secrets.has("written-by-script")).toBe(true);
    expect(await setup.t.vault.secrets.has("to-remove")).toBe(false);
  });

  it("is off without --vault-scripts (Postman's 'Enable support in scripts')", async () => {
    expect((await runBin(setup, ["grant", COLLECTION], key())).status).toBe(0);
    const r = await runWith(COLLECTION, "Vault access denied");
    expect(r.status, r.stdout.slice(-400)).toBe(0);
    expect(await setup.t.vault.secrets.has("written-by-script")).toBe(false);
  });

  it("a changed collection is denied with a warning to review and grant again", async () => {
    expect((await runBin(setup, ["grant", COLLECTION], key())).status).toBe(0);
    const changed = join(setup.out, "changed.json");
    const doc = JSON.parse(readFileSync(COLLECTION, "utf8")) as { info: { description?: string } };
    doc.info.description = "one more line";
    writeFileSync(changed, JSON.stringify(doc));
    const r = await runWith(changed, "Vault access denied", ["--vault-scripts"]);
    expect(r.status, r.stdout.slice(-400)).toBe(0);
    expect(r.stderr).toContain(
      'the collection "vaultlink fixture" changed since its pm.vault grant',
    );
    expect(r.stderr).toContain("vaultlink-newman grant");
    expect(await setup.t.vault.secrets.has("written-by-script")).toBe(false);
  });

  it("revoke forgets the grant; revoking again says there is none (exit 2)", async () => {
    expect((await runBin(setup, ["grant", COLLECTION], key())).status).toBe(0);
    const revoked = await runBin(setup, ["revoke", "vaultlink fixture"], key());
    expect(revoked.status, revoked.stderr).toBe(0);
    const r = await runWith(COLLECTION, "Vault access denied", ["--vault-scripts"]);
    expect(r.status, r.stdout.slice(-400)).toBe(0);
    const again = await runBin(setup, ["revoke", COLLECTION], key());
    expect(again.status).toBe(2);
    expect(again.stderr).toContain("no pm.vault grant for vaultlink fixture");
  });

  it("granting needs the vault key and a collection file: clear errors, exit 2, no grant", async () => {
    const locked = await runBin(setup, ["grant", COLLECTION]);
    expect(locked.status).toBe(2);
    expect(locked.stderr).toContain("VAULTLINK_VAULT_KEY");
    const url = await runBin(setup, ["grant", "https://example.com/c.json"], key());
    expect(url.status).toBe(2);
    expect(url.stderr).toContain("cannot hold a pm.vault grant");
    const missing = await runBin(setup, ["grant", join(setup.out, "nope.json")], key());
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("does not exist");
    for (const r of [locked, url, missing]) expect(r.stderr).not.toMatch(/\n\s{4}at /);
    expect(await setup.t.vault.scriptGrants.list()).toEqual([]);
  });
});
