import { afterEach, describe, expect, it } from "vitest";
import { createVault, FileVaultStore, resolveVaultPaths } from "../../src/index.js";
import { connectedVault, type TestVault } from "../helpers/fake-provider.js";

const TOKEN = "memory-only-token-3e9d71";

/** The document as the file holds it, decrypted (what another process would read). */
async function fileDocument(home: string, key: string) {
  const store = new FileVaultStore({ paths: resolveVaultPaths({ home }) });
  const session = await store.open(key);
  return session.read();
}

describe("memory-only sign-ins (sign-ins: memory)", () => {
  let t: (TestVault & { fake: Awaited<ReturnType<typeof connectedVault>>["fake"] }) | undefined;
  afterEach(async () => t?.cleanup());

  async function setup() {
    const c = await connectedVault({ values: { "fake://a": "value-a-19c2" }, token: TOKEN });
    t = c;
    await c.vault.links.link("a", { integration: "fake", reference: "fake://a" });
    return c;
  }

  it("switching to memory takes the stored credentials out of the file; this process keeps them", async () => {
    const c = await setup();
    expect(JSON.stringify(await fileDocument(c.home, c.vaultKey))).toContain(TOKEN);
    await c.vault.settings.set("sign-ins", "memory");
    const doc = await fileDocument(c.home, c.vaultKey);
    expect(doc.integrations.fake?.credentials).toBeUndefined();
    expect(JSON.stringify(doc)).not.toContain(TOKEN);
    expect(doc.integrations.fake?.status).toBe("connected");
    expect(await c.vault.resolve("a")).toMatchObject({ ok: true, value: "value-a-19c2" });
  });

  it("a reauth in memory mode works in this process and writes no credential", async () => {
    const c = await setup();
    await c.vault.settings.set("sign-ins", "memory");
    await c.vault.integrations.reauthenticate("fake", { options: { token: `${TOKEN}-2` } });
    expect(JSON.stringify(await fileDocument(c.home, c.vaultKey))).not.toContain(TOKEN);
    await c.vault.cache.reset();
    expect(await c.vault.resolve("a")).toMatchObject({ ok: true, source: "provider" });
  });

  it("another process (or this one after lock) is told to sign in again; the file's status is untouched", async () => {
    const c = await setup();
    await c.vault.settings.set("sign-ins", "memory");
    await c.vault.cache.reset();
    const other = createVault({
      home: c.home,
      providers: [c.fake.provider],
      keySources: [],
      freshnessMs: 0,
    });
    await other.unlock(c.vaultKey);
    try {
      const r = await other.resolve("a");
      expect(r).toMatchObject({ ok: false, reason: "auth-expired" });
      if (!r.ok) {
        expect(r.message).toContain("sign in again: vaultlink integration reauth fake");
        expect(r.fix).toContain("vaultlink agent start");
      }
      // Shown as this process can use it (no agent runs): sign in again. The file says connected.
      expect(await other.integrations.status("fake")).toMatchObject({
        status: "auth-expired",
        signInHeldBy: "none",
        statusReason: expect.stringContaining("sign in again: vaultlink integration reauth fake"),
      });
      expect((await fileDocument(c.home, c.vaultKey)).integrations.fake?.status).toBe("connected");
    } finally {
      await other.dispose();
    }
    // The first process still holds them.
    expect(await c.vault.resolve("a")).toMatchObject({ ok: true });
    // Locking (what agent stop does) forgets them.
    await c.vault.lock();
    await c.vault.unlock(c.vaultKey);
    expect(await c.vault.resolve("a")).toMatchObject({ ok: false, reason: "auth-expired" });
    expect(c.fake.calls.fetch).toBe(1);
  });

  it("back to vault: the credentials this process holds are written to the file again", async () => {
    const c = await setup();
    await c.vault.settings.set("sign-ins", "memory");
    await c.vault.settings.set("sign-ins", "vault");
    expect(JSON.stringify(await fileDocument(c.home, c.vaultKey))).toContain(TOKEN);
  });

  it("refuses other values", async () => {
    const c = await setup();
    await expect(c.vault.settings.set("sign-ins", "disk")).rejects.toMatchObject({
      code: "INVALID_SETTING",
    });
  });
});
