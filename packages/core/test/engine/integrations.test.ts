import { afterEach, describe, expect, it } from "vitest";
import {
  FileVaultStore,
  isVaultlinkError,
  TEAM_RECHECK_MS,
  type VaultEvents,
} from "../../src/index.js";
import {
  fakeProvider,
  fakeTeamStore,
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

  it("sign-out and disconnect end the session at the service first, and go ahead when that fails", async () => {
    const { fake } = await linkedVault();
    fake.endSession = "ok";
    const out = await t.vault.integrations.signOut("fake");
    expect(out).toMatchObject({ status: "auth-expired", sessionEnded: true });
    expect(fake.ended).toEqual(["tok"]);

    // A failure is reported, redacted (the plugin echoed the token), and the sign-out stands.
    const token = "tok-echoed-by-the-service-5d1c";
    await t.vault.integrations.reauthenticate("fake", { options: { token } });
    fake.endSession = "fails";
    const failed = await t.vault.integrations.signOut("fake");
    expect(failed.sessionEnded).toBe(false);
    expect(failed.sessionNote).toMatch(/did not confirm the end of the session/);
    expect(failed.sessionNote).not.toContain(token);
    expect((await t.vault.integrations.status("fake")).status).toBe("auth-expired");

    // A service that never answers is cut off at the integration's deadline.
    await t.vault.integrations.reauthenticate("fake", { options: { token: "tok-2" } });
    await t.vault.integrations.configure("fake", { timeoutSeconds: 1 });
    fake.endSession = "hangs";
    const gone = await t.vault.integrations.disconnect("fake");
    expect(gone).toMatchObject({ unresolved: ["alpha", "beta"], sessionEnded: false });
    expect(gone.sessionNote).toMatch(/timed out after 1 s/);
    expect((await t.vault.integrations.status("fake")).status).toBe("disconnected");
  });

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
      by: "you",
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

  it("a long-lived vault never serves a value cached before another process disconnected and reconnected", async () => {
    const { fake, clock } = await linkedVault();
    expect(await t.vault.resolve("alpha")).toMatchObject({ ok: true, source: "provider" });
    expect(await t.vault.resolve("alpha")).toMatchObject({ ok: true, source: "cache" });
    // Another process (a script embedding vaultlink, not telling the agent) reconnects the
    // integration, say to another account, where the reference holds another value.
    const other = await openAs(t, { providers: [fake.provider], clock });
    try {
      await other.integrations.disconnect("fake");
      clock.advance(1_000);
      await other.integrations.connect({ provider: "fake", options: { token: "tok-other" } });
    } finally {
      await other.dispose();
    }
    fake.values.set("fake://a", "value-of-the-new-connection");
    const r = await t.vault.resolve("alpha");
    expect(r).toMatchObject({ ok: true, source: "provider" });
    expect(r.ok && r.value).toBe("value-of-the-new-connection");
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

describe("team integrations: the provider decides who is an admin", () => {
  const vaults: TestVault[] = [];
  afterEach(async () => {
    for (const v of vaults.splice(0)) await v.cleanup();
  });

  async function team() {
    const clock = new TestClock();
    const store = fakeTeamStore(["admin-token"]);
    const fake = fakeProvider({ id: "team-vault", scope: "team", team: store });
    fake.values.set("fake://a", "value-a");
    const admin = await makeVault({ providers: [fake.provider], clock });
    const member = await makeVault({ providers: [fake.provider], clock });
    vaults.push(admin, member);
    return { clock, store, fake, admin, member };
  }

  it("a member cannot set up a team integration: the provider says member, nothing is published or stored", async () => {
    const { store, member } = await team();
    const err = await member.vault.integrations
      .connect({ provider: "team-vault", options: { token: "member-token", address: "a" } })
      .catch((e) => e);
    expect(err.code).toBe("ACCESS_DENIED");
    expect(err.message).toContain("Only a team Admin or Super Admin can set up");
    expect(err.message).toContain("you are a team member");
    expect(store.setup).toBeUndefined();
    expect(await member.vault.integrations.list()).toEqual([]);
  });

  it("the admin publishes; a member joins, reads, is refused configure/disconnect with the vault unchanged; the admin's disconnect reaches the member", async () => {
    const { clock, store, fake, admin, member } = await team();
    await admin.vault.integrations.connect({
      provider: "team-vault",
      options: { token: "admin-token", address: "https://team.example" },
    });
    expect(store.setup).toEqual({
      authMethod: "token",
      settings: { address: "https://team.example", timeout: 30 },
    });
    // Joining without a setup at the location fails clearly; with one, the member follows it.
    await member.vault.integrations.join({
      provider: "team-vault",
      options: { token: "member-token" },
    });
    const joined = await member.vault.integrations.status("team-vault");
    expect(joined).toMatchObject({ scope: "team", authMethod: "token", status: "connected" });
    expect(joined.settings.address).toBe("https://team.example");
    await member.vault.links.link("alpha", { integration: "team-vault", reference: "fake://a" });
    expect(await member.vault.resolve("alpha")).toMatchObject({ ok: true, value: "value-a" });

    const before = await member.vault.integrations.status("team-vault");
    const disconnect = await member.vault.integrations.disconnect("team-vault").catch((e) => e);
    expect(disconnect.code).toBe("ACCESS_DENIED");
    expect(disconnect.message).toContain("Only a team Admin or Super Admin can disconnect");
    expect(disconnect.hint).toContain("vaultlink integration signout team-vault");
    const change = await member.vault.integrations
      .configure("team-vault", { address: "https://evil.example" })
      .catch((e) => e);
    expect(change.code).toBe("ACCESS_DENIED");
    const method = await member.vault.integrations
      .reauthenticate("team-vault", { method: "password", options: { token: "member-token" } })
      .catch((e) => e);
    expect(method.code).toBe("ACCESS_DENIED");
    expect(await member.vault.integrations.status("team-vault")).toEqual(before);
    expect(store.setup?.settings.address).toBe("https://team.example");
    expect((await member.vault.cache.status()).entries).toHaveLength(1);

    // The admin changes the setup: the member's vault follows on its next use.
    await admin.vault.integrations.configure("team-vault", { address: "https://moved.example" });
    clock.advance(TEAM_RECHECK_MS);
    await member.vault.resolve("alpha");
    expect((await member.vault.integrations.status("team-vault")).settings.address).toBe(
      "https://moved.example",
    );

    // The admin disconnects: the setup is gone for everyone.
    const events: Array<[string, unknown]> = [];
    member.vault.events.onAny((type, p) => events.push([type, p]));
    await admin.vault.integrations.disconnect("team-vault");
    expect(store.setup).toBeUndefined();
    clock.advance(TEAM_RECHECK_MS);
    const fetchesBefore = fake.calls.fetch;
    const after = await member.vault.resolve("alpha");
    expect(after).toMatchObject({ ok: false, reason: "disconnected" });
    expect(after.ok ? "" : after.message).toContain("disconnected by the team");
    expect(after.ok ? "" : after.fix).toContain("vaultlink integration join team-vault");
    const reauth = await member.vault.integrations
      .reauthenticate("team-vault", { options: { token: "member-token" } })
      .catch((e) => e);
    expect(reauth).toMatchObject({ code: "INTEGRATION_DISCONNECTED" });
    expect(reauth.hint).toContain("vaultlink integration join team-vault");
    expect(fake.calls.fetch).toBe(fetchesBefore);
    expect((await member.vault.cache.status()).entries).toHaveLength(0);
    expect(events.find(([t]) => t === "IntegrationDisconnected")?.[1]).toEqual({
      integration: "team-vault",
      provider: "team-vault",
      unresolved: ["alpha"],
      by: "team",
    });
    expect((await member.vault.integrations.status("team-vault")).statusReason).toBe(
      "disconnected by the team",
    );
  });

  it("a permissive local policy gives a member no power: the provider refuses the write and the vault stays as it was", async () => {
    const { store, admin, member } = await team();
    await admin.vault.integrations.connect({
      provider: "team-vault",
      options: { token: "admin-token", address: "https://team.example" },
    });
    await member.vault.integrations.join({
      provider: "team-vault",
      options: { token: "member-token" },
    });
    const claimsAdmin = await openAs(member, {
      providers: [member.vault.providers.get("team-vault")],
      role: "super-admin",
    });
    const before = await claimsAdmin.integrations.status("team-vault");
    const err = await claimsAdmin.integrations.disconnect("team-vault").catch((e) => e);
    expect(err.code).toBe("PERMISSION_DENIED");
    expect(await claimsAdmin.integrations.status("team-vault")).toEqual(before);
    expect(store.setup).toBeDefined();
    await claimsAdmin.dispose();
  });

  it("a member signs out personally: credentials and cached values go, the team setup stays", async () => {
    const { store, admin, member } = await team();
    await admin.vault.integrations.connect({
      provider: "team-vault",
      options: { token: "admin-token", address: "https://team.example" },
    });
    await member.vault.integrations.join({
      provider: "team-vault",
      options: { token: "member-token" },
    });
    await member.vault.links.link("alpha", { integration: "team-vault", reference: "fake://a" });
    await member.vault.resolve("alpha");
    const out = await member.vault.integrations.signOut("team-vault");
    expect(out).toMatchObject({ status: "auth-expired", statusReason: "signed out" });
    expect((await member.vault.cache.status()).entries).toHaveLength(0);
    expect(store.setup).toBeDefined();
    expect(await member.vault.resolve("alpha")).toMatchObject({
      ok: false,
      reason: "auth-expired",
    });
  });

  it("joining where nothing is published says so and stores nothing; an offline check changes nothing", async () => {
    const { clock, store, admin, member } = await team();
    const err = await member.vault.integrations
      .join({ provider: "team-vault", options: { token: "member-token" } })
      .catch((e) => e);
    expect(err.code).toBe("TEAM_SETUP_NOT_FOUND");
    expect(await member.vault.integrations.list()).toEqual([]);
    await admin.vault.integrations.connect({
      provider: "team-vault",
      options: { token: "admin-token", address: "https://team.example" },
    });
    await member.vault.integrations.join({
      provider: "team-vault",
      options: { token: "member-token" },
    });
    await member.vault.links.link("alpha", { integration: "team-vault", reference: "fake://a" });
    await member.vault.resolve("alpha");
    store.failWith = "UNREACHABLE";
    clock.advance(TEAM_RECHECK_MS);
    expect(await member.vault.resolve("alpha")).toMatchObject({ ok: true, source: "cache" });
    expect((await member.vault.integrations.status("team-vault")).status).toBe("connected");
  });

  it("a team check that hangs at the provider holds no read past the integration's timeout", async () => {
    const { clock, store, admin } = await team();
    await admin.vault.integrations.connect({
      provider: "team-vault",
      options: { token: "admin-token", address: "https://team.example", timeoutSeconds: 1 },
    });
    await admin.vault.links.link("alpha", { integration: "team-vault", reference: "fake://a" });
    expect(await admin.vault.resolve("alpha")).toMatchObject({ ok: true });
    store.hangs = true;
    clock.advance(TEAM_RECHECK_MS);
    const reads = store.reads;
    // The check is given up at the deadline (as offline): the cached value is served.
    expect(await admin.vault.resolve("alpha")).toMatchObject({ ok: true, source: "cache" });
    expect(store.reads).toBe(reads + 1);
    expect((await admin.vault.integrations.status("team-vault")).status).toBe("connected");
    // A forced check (status) reports it as the timeout it was.
    const forced = await admin.vault.integrations.syncTeam("team-vault", { force: true });
    expect(forced.unchecked).toMatchObject({ code: "UNREACHABLE" });
    expect(forced.unchecked?.message).toContain("team check timed out after 1 s");
  });
});
