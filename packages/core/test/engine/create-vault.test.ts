// tsyringe needs the Reflect polyfill before it loads; core imports it the same way.
import "reflect-metadata";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { container as globalContainer } from "tsyringe";
import { afterEach, describe, expect, it } from "vitest";
import {
  type AccessPolicy,
  createVault,
  FileVaultStore,
  type KeySource,
  type Logger,
  Tokens,
  type Vault,
  vaultlinkError,
} from "../../src/index.js";
import { defineProvider } from "../../src/plugin/index.js";
import { fakeProvider, TestClock } from "../helpers/fake-provider.js";

/** A logger that keeps every message, so a test can see which logger a plugin was given. */
function recordingLogger(): Logger & { messages: string[] } {
  const messages: string[] = [];
  const log = (message: string) => {
    messages.push(message);
  };
  return { messages, debug: log, info: log, warn: log, error: log };
}

describe("createVault: the composition root", () => {
  const homes: string[] = [];
  const vaults: Vault[] = [];
  const newHome = () => {
    const home = mkdtempSync(join(tmpdir(), "vaultlink-di-"));
    homes.push(home);
    return home;
  };
  afterEach(async () => {
    for (const v of vaults.splice(0)) await v.dispose();
    for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true });
  });

  it("lets an embedder replace the clock, storage location, key source, logger and access policy", async () => {
    const home = newHome();
    const clock = new TestClock(Date.parse("2030-05-06T07:08:09.000Z"));
    const logger = recordingLogger();
    const fake = fakeProvider();
    // The plugin logs through the logger its context carries: the embedder's.
    const logging = defineProvider({
      ...fake.provider,
      create(ctx) {
        ctx.logger.info("instance created");
        return fake.provider.create(ctx);
      },
    });
    const keys: string[] = [];
    const keySource: KeySource = {
      id: "embedder-store",
      availability: async () => ({ available: true }),
      load: async () => keys[0],
    };
    const decisions: string[] = [];
    const accessPolicy: AccessPolicy = {
      whoami: () => ({ user: "embedder", role: "member" }),
      assertCanManage(integration, action) {
        decisions.push(`${action}:${integration.id}`);
        if (integration.id === "forbidden") {
          throw vaultlinkError("ACCESS_DENIED", "The embedder's policy says no.");
        }
      },
    };
    const vault = createVault({
      home,
      providers: [logging],
      keySources: [keySource],
      clock,
      logger,
      accessPolicy,
    });
    vaults.push(vault);

    expect(vault.paths.dir).toBe(home);
    const { vaultKey } = await vault.create();
    expect(await new FileVaultStore({ home }).exists()).toBe(true);
    await vault.lock();
    keys.push(vaultKey);
    expect(await vault.unlock()).toEqual({ source: "embedder-store" });

    expect((await vault.secrets.add("a", { value: "1" })).createdAt).toBe(
      "2030-05-06T07:08:09.000Z",
    );
    await vault.integrations.connect({ provider: "fake", options: { token: "t" } });
    expect(logger.messages).toContain("instance created");
    const denied = await vault.integrations
      .connect({ provider: "fake", id: "forbidden", options: { token: "t" } })
      .catch((e) => e);
    expect(denied.code).toBe("ACCESS_DENIED");
    expect(decisions).toEqual(["connect:fake", "connect:forbidden"]);
    expect((await vault.integrations.list()).map((i) => i.id)).toEqual(["fake"]);
  });

  it("unlockedBy says where the key came from: created, a host's named source, else argument", async () => {
    const vault = createVault({ home: newHome(), providers: [], keySources: [] });
    vaults.push(vault);
    const { vaultKey } = await vault.create();
    expect(vault.unlockedBy).toBe("created");
    await vault.lock();
    expect(vault.unlockedBy).toBeUndefined();
    expect(await vault.unlock(vaultKey, { source: "env" })).toEqual({ source: "env" });
    expect(vault.unlockedBy).toBe("env");
    await vault.lock();
    await vault.unlock(vaultKey);
    expect(vault.unlockedBy).toBe("argument");
  });

  it("configure(container) replaces any token after the defaults, e.g. the storage", async () => {
    const optionsHome = newHome();
    const storageHome = newHome();
    const vault = createVault({
      home: optionsHome,
      keySources: [],
      configure(c) {
        c.register(Tokens.Storage, { useValue: new FileVaultStore({ home: storageHome }) });
      },
    });
    vaults.push(vault);
    expect(vault.paths.dir).toBe(storageHome);
    await vault.create();
    expect(await new FileVaultStore({ home: storageHome }).exists()).toBe(true);
    expect(await new FileVaultStore({ home: optionsHome }).exists()).toBe(false);
  });

  it("two vault instances in one process share nothing, and the global container stays empty", async () => {
    const fake = fakeProvider();
    fake.values.set("fake://x", "x-value");
    const [a, b] = [newHome(), newHome()].map((home) =>
      createVault({ home, providers: [fake.provider], keySources: [] }),
    ) as [Vault, Vault];
    vaults.push(a, b);
    expect(a.container).not.toBe(b.container);
    for (const [name, token] of Object.entries(Tokens)) {
      expect(globalContainer.isRegistered(token as never), name).toBe(false);
      // The default clock and logger are stateless functions; everything else is per vault.
      if (name === "Clock" || name === "Logger") continue;
      expect(a.container.resolve(token as never), name).not.toBe(
        b.container.resolve(token as never),
      );
    }
    const seenByA: string[] = [];
    a.events.onAny((type) => seenByA.push(type));
    await a.create();
    await b.create();
    const before = seenByA.length;
    await b.secrets.add("only-in-b", { value: "b" });
    await b.integrations.connect({ provider: "fake", options: { token: "t" } });
    await b.links.link("linked", { integration: "fake", reference: "fake://x" });
    expect(await b.resolve("linked")).toMatchObject({ ok: true, value: "x-value" });
    await b.cache.reset();
    expect(seenByA.length).toBe(before);
    expect(await a.secrets.list()).toEqual([]);
    expect(await a.integrations.list()).toEqual([]);
    expect(await a.resolve("only-in-b")).toMatchObject({ ok: false, reason: "missing" });
    await b.lock();
    expect(a.unlocked).toBe(true);
  });

  it("reset destroys everything and issues a new key, only with { confirm: true }", async () => {
    const home = newHome();
    const vault = createVault({ home, keySources: [] });
    vaults.push(vault);
    const { vaultKey } = await vault.create();
    await vault.secrets.add("keep-me", { value: "v" });
    for (const options of [{ confirm: false }, {}, undefined]) {
      const refused = await vault.reset(options as never).catch((e) => e);
      expect(refused.code).toBe("CONFIRMATION_REQUIRED");
      expect(refused.hint).toContain("--yes");
    }
    expect((await vault.secrets.list()).map((s) => s.name)).toEqual(["keep-me"]);
    const fresh = await vault.reset({ confirm: true });
    expect(fresh.vaultKey).not.toBe(vaultKey);
    expect(await vault.secrets.list()).toEqual([]);
    const old = await new FileVaultStore({ home }).open(vaultKey).catch((e) => e);
    expect(old.code).toBe("VAULT_WRONG_KEY");
  });
});
