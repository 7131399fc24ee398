import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readServable } from "../../src/quick/index.js";
import { addSecrets, connectedVault, TestClock } from "../helpers/fake-provider.js";

const TTL_MS = 60 * 60_000;

describe("readServable (the one-shot read path)", () => {
  let t: Awaited<ReturnType<typeof connectedVault>> | undefined;
  let clock: TestClock;
  afterEach(async () => t?.cleanup());

  /** A vault with a local, a domain-restricted and a linked secret whose value is cached. */
  async function servedVault() {
    clock = new TestClock();
    const v = await connectedVault({
      clock,
      values: { "fake://db": JSON.stringify({ password: "db-pw-5521" }) },
    });
    t = v;
    await addSecrets(v.vault, {
      token: { value: "tok-value-7310" },
      scoped: { value: "scoped-value-2287", allowedDomains: ["api.example.com"] },
      off: { value: "off-value-0912", enabled: false },
      blank: {},
    });
    await v.vault.links.link("db", {
      integration: "fake",
      reference: "fake://db",
      jsonKey: "password",
    });
    await v.vault.links.link("later", { integration: "fake", reference: "fake://db" });
    expect(await v.vault.resolve("db")).toMatchObject({ ok: true, source: "provider" });
    const read = (name: string, extra: { url?: string; now?: number } = {}) =>
      readServable(name, {
        home: v.home,
        env: { VAULTLINK_VAULT_KEY: v.vaultKey },
        now: clock.now(),
        ...extra,
      });
    return { v, read };
  }

  it("serves what Vault#resolve serves for local and cached values, from the files alone", async () => {
    const { v, read } = await servedVault();
    const fetches = v.fake.calls.fetch;
    for (const name of ["token", "db"]) {
      const full = await v.vault.resolve(name);
      if (!full.ok) throw new Error(`${name} did not resolve`);
      expect(await read(name)).toEqual({ name, value: full.value, source: full.source });
    }
    expect(await read("scoped", { url: "https://api.example.com/v1" })).toEqual({
      name: "scoped",
      value: "scoped-value-2287",
      source: "local",
    });
    expect(v.fake.calls.fetch).toBe(fetches);
  });

  it("leaves every case the full path must decide to it (undefined)", async () => {
    const { v, read } = await servedVault();
    // Each of these resolves differently or reports a reason on the full path.
    for (const name of ["missing", "off", "blank", "later", "__proto__"]) {
      expect(await read(name), name).toBeUndefined();
    }
    expect(await read("scoped")).toBeUndefined();
    expect(await read("scoped", { url: "https://example.com.evil.net" })).toBeUndefined();
    // Past the cache TTL.
    expect(await read("db", { now: clock.now() + TTL_MS + 1 })).toBeUndefined();
    // No key without asking, a wrong key, no vault.
    expect(await readServable("db", { home: v.home, env: {}, keySources: [] })).toBeUndefined();
    const other = await connectedVault();
    const wrongKey = other.vaultKey;
    await other.cleanup();
    expect(
      await readServable("db", { home: v.home, env: { VAULTLINK_VAULT_KEY: wrongKey } }),
    ).toBeUndefined();
    expect(
      await readServable("db", {
        home: join(v.home, "nowhere"),
        env: { VAULTLINK_VAULT_KEY: v.vaultKey },
      }),
    ).toBeUndefined();
    // Caching turned off, then the integration disconnected.
    await v.vault.settings.set("cache-ttl", 0);
    expect(await read("db")).toBeUndefined();
    await v.vault.settings.set("cache-ttl", 60);
    await v.vault.integrations.disconnect("fake");
    expect(await read("db")).toBeUndefined();
  });

  it("reads without writing: files, modes and the lock stay as they were; damage is left to the full path", async () => {
    const { v, read } = await servedVault();
    const vaultFile = join(v.home, "vault.vlt");
    const cacheFile = join(v.home, "cache.vlc");
    const before = [vaultFile, cacheFile].map((f) => [readFileSync(f), statSync(f).mtimeMs]);
    expect(await read("db")).toMatchObject({ source: "cache" });
    const after = [vaultFile, cacheFile].map((f) => [readFileSync(f), statSync(f).mtimeMs]);
    expect(after).toEqual(before);
    expect(existsSync(join(v.home, "vault.lock"))).toBe(false);

    // A damaged cache file only means "not cached"; a damaged vault file means "full path".
    writeFileSync(cacheFile, Buffer.from("not a cache file"));
    expect(await read("db")).toBeUndefined();
    expect(await read("token")).toMatchObject({ value: "tok-value-7310" });
    const bytes = readFileSync(vaultFile);
    bytes[bytes.length - 5] = (bytes[bytes.length - 5] ?? 0) ^ 0xff;
    writeFileSync(vaultFile, bytes);
    expect(await read("token")).toBeUndefined();
  });
});
