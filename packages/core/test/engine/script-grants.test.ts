import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createVault } from "../../src/index.js";
import { makeVault, TestClock, type TestVault } from "../helpers/fake-provider.js";

const DIGEST = "a".repeat(64);
const CHANGED = "b".repeat(64);

/** Every file under the vault directory, as text. */
function filesOf(dir: string): string {
  return readdirSync(dir, { recursive: true })
    .map((f) => join(dir, String(f)))
    .filter((f) => statSync(f).isFile())
    .map((f) => readFileSync(f, "latin1"))
    .join("\n");
}

describe("remembered script grants (pm.vault for a collection, in the encrypted vault)", () => {
  let t: TestVault;
  afterEach(async () => t?.cleanup());

  it("grants, checks the collection as granted, sees a changed one, lists and revokes", async () => {
    t = await makeVault({ clock: new TestClock(Date.parse("2026-03-04T05:06:07.000Z")) });
    const g = t.vault.scriptGrants;
    expect(await g.check("col-1", DIGEST)).toEqual({ granted: false, reason: "none" });
    const grant = await g.grant({ collection: "col-1", label: "Orders API", digest: DIGEST });
    expect(grant).toEqual({
      collection: "col-1",
      label: "Orders API",
      digest: DIGEST,
      grantedAt: "2026-03-04T05:06:07.000Z",
    });
    expect(await g.check("col-1", DIGEST)).toEqual({ granted: true, grant });
    expect(await g.check("col-1", CHANGED)).toEqual({ granted: false, reason: "changed", grant });
    expect(await g.check("col-2", DIGEST)).toEqual({ granted: false, reason: "none" });
    expect((await g.list()).map((x) => x.collection)).toEqual(["col-1"]);
    expect(await g.revoke("col-1")).toBe(true);
    expect(await g.revoke("col-1")).toBe(false);
    expect(await g.check("col-1", DIGEST)).toEqual({ granted: false, reason: "none" });
  });

  it("is kept in the encrypted vault file (nothing in plain text) and read back after reopening", async () => {
    t = await makeVault();
    await t.vault.scriptGrants.grant({
      collection: "plain-text-probe-id-6c1f",
      label: "probe label 77e2",
      digest: DIGEST,
    });
    await t.vault.dispose();
    const text = filesOf(t.home);
    expect(text).not.toContain("plain-text-probe-id-6c1f");
    expect(text).not.toContain("probe label 77e2");
    const again = createVault({ home: t.home, keySources: [] });
    await again.unlock(t.vaultKey);
    expect(await again.scriptGrants.check("plain-text-probe-id-6c1f", DIGEST)).toMatchObject({
      granted: true,
    });
    await again.dispose();
  });

  it("takes any collection id as a plain key (__proto__, constructor) and refuses bad ids", async () => {
    t = await makeVault();
    for (const id of ["__proto__", "constructor"]) {
      await t.vault.scriptGrants.grant({ collection: id, label: id, digest: DIGEST });
      expect(await t.vault.scriptGrants.check(id, DIGEST)).toMatchObject({ granted: true });
    }
    expect(await t.vault.scriptGrants.check("toString", DIGEST)).toEqual({
      granted: false,
      reason: "none",
    });
    for (const bad of ["", "  ", "a\nb", "x".repeat(301)]) {
      await expect(
        t.vault.scriptGrants.grant({ collection: bad, label: "x", digest: DIGEST }),
      ).rejects.toMatchObject({ code: "INVALID_INPUT" });
    }
    await expect(
      t.vault.scriptGrants.grant({ collection: "ok", label: "x", digest: "not-a-digest" }),
    ).rejects.toMatchObject({ code: "INVALID_INPUT" });
    expect((await t.vault.scriptGrants.list()).map((g) => g.collection).sort()).toEqual([
      "__proto__",
      "constructor",
    ]);
  });
});
