import { afterEach, describe, expect, it } from "vitest";
import { FileVaultStore, isVaultlinkError, type VaultEvents } from "../../src/index.js";
import {
  fakeProvider,
  makeVault,
  openAs,
  TestClock,
  type TestVault,
} from "../helpers/fake-provider.js";

describe("integration lifecycle", () => {
  let t: TestVault;
  afterEach(async () => t?.cleanup());

  async function linkedVault(
    options: {
      scope?: "personal" | "team";
      ttlMs?: number;
      clock?: TestClock;
      role?: "member" | "admin";
    } = {},
  ) {
    const clock = options.clock ?? new TestClock();
    const fake = fakeProvider({
      scope: options.scope ?? "personal",
      ttlMs: options.ttlMs,
      now: clock.now,
    });
    fake.values.set("fake://a", "value-a");
    fake.values.set("fake://b", "value-b");
    t = await makeVault({ providers: [fake.provider], clock, role: "admin" });
    await t.vault.integrations.connect({ provider: "fake", options: { token: "tok" } });
    await t.vault.links.link("alpha", { integration: "fake", reference: "fake://a" });
    await t.vault.links.link("beta", { integration: "fake", reference: "fake://b" });
    await t.vault.secrets.add("local-one", { value: "local-value" });
    const events: Array<[keyof VaultEvents, unknown]> = [];
    t.vault.events.onAny((type, p) => events.push([type, p]));
    return { fake, clock, events };
  }

  it("disconnect leaves every linked name unresolved as disconnected; reconnect restores them", async () => {
    const { events, fake } = await linkedVault();
    await t.vault.resolve("alpha");
    const { unresolved } = await t.vault.integrations.disconnect("fake");
    expect(unresolved).toEqual(["alpha", "beta"]);
    const disconnected = events.find(([type]) => type === "IntegrationDisconnected");
    expect(disconnected?.[1]).toEqual({
      integration: "fake",
      provider: "fake",
      unresolved: ["alpha", "beta"],
    });
    expect((await t.vault.cache.status()).entries).toHaveLength(0);
    const after = await t.vault.resolveMany(["alpha", "beta", "local-one"]);
    expect(after.map((r) => (r.ok ? "ok" : r.reason))).toEqual([
      "disconnected",
      "disconnected",
      "ok",
    ]);
    expect(after[0]).toMatchObject({ fix: "run vaultlink integration connect fake" });
    // Links stay in place, credentials are gone.
    expect((await t.vault.secrets.get("alpha")).link?.reference).toBe("fake://a");
    expect((await t.vault.integrations.status("fake")).status).toBe("disconnected");
    const stored = await (await new FileVaultStore({ home: t.home }).open(t.vaultKey)).read();
    expect(stored.integrations.fake?.credentials).toBeUndefined();
    await t.vault.integrations.connect({ provider: "fake", options: { token: "tok2" } });
    const restored = await t.vault.resolveMany(["alpha", "beta"]);
    expect(restored.map((r) => r.ok && r.value)).toEqual(["value-a", "value-b"]);
    expect(fake.calls.fetch).toBeGreaterThanOrEqual(2);
  });

  it("a provider's AUTH_EXPIRED emits AuthExpired once and reports auth-expired until reauth", async () => {
    const { fake, events } = await linkedVault();
    fake.failWith = { code: "AUTH_EXPIRED" };
    const first = await t.vault.resolveMany(["alpha", "beta"]);
    expect(first.map((r) => !r.ok && r.reason)).toEqual(["auth-expired", "auth-expired"]);
    expect(first[0]).toMatchObject({ fix: "run vaultlink integration reauth fake" });
    const again = await t.vault.resolve("alpha");
    expect(again).toMatchObject({ ok: false, reason: "auth-expired" });
    expect(events.filter(([type]) => type === "AuthExpired")).toHaveLength(1);
    expect((await t.vault.integrations.status("fake")).status).toBe("auth-expired");
    const fetchesWhileExpired = fake.calls.fetch;
    await t.vault.resolve("beta");
    expect(fake.calls.fetch).toBe(fetchesWhileExpired); // no provider call while expired
    fake.failWith = undefined;
    await t.vault.integrations.reauthenticate("fake", { options: { token: "fresh" } });
    expect(await t.vault.resolve("alpha")).toMatchObject({ ok: true, value: "value-a" });
    expect(events.some(([type]) => type === "IntegrationReauthenticated")).toBe(true);
  });

  it("credentials past their expiry time count as expired without asking the provider", async () => {
    const clock = new TestClock();
    const { fake, events } = await linkedVault({ ttlMs: 60 * 60_000, clock });
    expect((await t.vault.resolve("alpha")).ok).toBe(true);
    await t.vault.cache.reset();
    clock.advance(61 * 60_000);
    expect(await t.vault.resolve("alpha")).toMatchObject({
      ok: false,
      reason: "auth-expired",
      fix: "run vaultlink integration reauth fake",
    });
    expect(await t.vault.resolve("beta")).toMatchObject({ ok: false, reason: "auth-expired" });
    expect(fake.calls.fetch).toBe(1);
    expect(events.filter(([type]) => type === "AuthExpired")).toHaveLength(1);
    expect((await t.vault.integrations.list())[0]?.status).toBe("auth-expired");
    // Reauthentication issues new credentials (a fresh hour on the same clock) and restores both.
    await t.vault.integrations.reauthenticate("fake", { options: { token: "fresh" } });
    const restored = await t.vault.resolveMany(["alpha", "beta"]);
    expect(restored.map((r) => r.ok && r.value)).toEqual(["value-a", "value-b"]);
    expect((await t.vault.integrations.status("fake")).status).toBe("connected");
  });

  it("stores credentials encrypted and never shows them in status", async () => {
    await linkedVault();
    await t.vault.integrations.reauthenticate("fake", { options: { token: "cred-9d1e7a" } });
    const status = await t.vault.integrations.status("fake");
    expect(JSON.stringify(status)).not.toContain("cred-9d1e7a");
    expect(JSON.stringify(await t.vault.integrations.list())).not.toContain("cred-9d1e7a");
    const { readFileSync } = await import("node:fs");
    expect(readFileSync(t.vault.paths.vaultFile).includes(Buffer.from("cred-9d1e7a"))).toBe(false);
  });

  it("refuses a second connect of a connected integration", async () => {
    await linkedVault();
    const err = await t.vault.integrations
      .connect({ provider: "fake", options: { token: "x" } })
      .catch((e) => e);
    expect(isVaultlinkError(err) && err.code).toBe("INTEGRATION_EXISTS");
  });

  it("a failed sign-in stores nothing", async () => {
    const fake = fakeProvider();
    t = await makeVault({ providers: [fake.provider] });
    const err = await t.vault.integrations
      .connect({ provider: "fake", options: { token: "bad" } })
      .catch((e) => e);
    expect(isVaultlinkError(err) && err.code).toBe("AUTH_FAILED");
    expect(await t.vault.integrations.list()).toEqual([]);
  });

  it("validates options against the auth method's schema", async () => {
    const fake = fakeProvider();
    t = await makeVault({ providers: [fake.provider] });
    const missing = await t.vault.integrations
      .connect({ provider: "fake", options: {} })
      .catch((e) => e);
    expect(missing.code).toBe("INVALID_INPUT");
    expect(missing.message).toContain('"token"');
    const unknown = await t.vault.integrations
      .connect({ provider: "fake", options: { token: "a", colour: "red" } })
      .catch((e) => e);
    expect(unknown.message).toContain('"colour"');
  });
});

describe("team integrations and the access policy", () => {
  let member: TestVault;
  afterEach(async () => member?.cleanup());

  it("a member disconnecting a team integration is refused and nothing changes; an admin succeeds", async () => {
    const fake = fakeProvider({ id: "team-vault", scope: "team" });
    fake.values.set("fake://a", "value-a");
    const admin = await makeVault({ providers: [fake.provider], role: "admin" });
    await admin.vault.integrations.connect({ provider: "team-vault", options: { token: "t" } });
    await admin.vault.links.link("alpha", { integration: "team-vault", reference: "fake://a" });
    await admin.vault.dispose();
    const asMember = await openAs(admin, {
      providers: [fake.provider],
      user: "mia",
      role: "member",
    });
    const before = await asMember.integrations.status("team-vault");
    // Creating another team integration is an admin's call too.
    const create = await asMember.integrations
      .connect({ provider: "team-vault", id: "team-2", options: { token: "t" } })
      .catch((e) => e);
    expect(create.code).toBe("ACCESS_DENIED");
    expect((await asMember.integrations.list()).map((i) => i.id)).toEqual(["team-vault"]);
    const err = await asMember.integrations.disconnect("team-vault").catch((e) => e);
    expect(err.code).toBe("ACCESS_DENIED");
    expect(err.message).toContain("only an Admin or Super Admin");
    expect(await asMember.integrations.status("team-vault")).toEqual(before);
    const change = await asMember.integrations
      .configure("team-vault", { region: "eu" })
      .catch((e) => e);
    expect(change.code).toBe("ACCESS_DENIED");
    // A member may still sign in personally, but not move the team setup while doing it.
    const moved = await asMember.integrations
      .reauthenticate("team-vault", { options: { token: "mine", address: "https://elsewhere" } })
      .catch((e) => e);
    expect(moved.code).toBe("ACCESS_DENIED");
    // The auth method is part of the team setup too: a member signs in with the one it names.
    const otherMethod = await asMember.integrations
      .reauthenticate("team-vault", { method: "password", options: { token: "mine" } })
      .catch((e) => e);
    expect(otherMethod.code).toBe("ACCESS_DENIED");
    expect(otherMethod.hint).toBe(
      "Sign in with the team's method: vaultlink integration reauth team-vault --method token",
    );
    expect((await asMember.integrations.status("team-vault")).authMethod).toBe("token");
    await asMember.integrations.reauthenticate("team-vault", { options: { token: "mine" } });
    // Defaults of settings the member did not give are not "changes", and stored values stand.
    expect((await asMember.integrations.status("team-vault")).settings).toEqual(before.settings);
    expect((await asMember.resolve("alpha")).ok).toBe(true);
    await asMember.dispose();
    const asAdmin = await openAs(admin, {
      providers: [fake.provider],
      user: "ada",
      role: "super-admin",
    });
    expect((await asAdmin.integrations.disconnect("team-vault")).unresolved).toEqual(["alpha"]);
    await asAdmin.dispose();
    member = admin;
  });
});
