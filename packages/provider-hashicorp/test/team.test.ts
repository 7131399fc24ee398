import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createVault,
  decodeJoinCode,
  encodeJoinCode,
  TEAM_RECHECK_MS,
  type Vault,
} from "@vaultlink/core";
import {
  type HashicorpEmulator,
  signInAtVaultUi,
  startHashicorpEmulator,
} from "@vaultlink/emulators";
import { createTestContext } from "@vaultlink/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openLoopback } from "../src/auth/loopback.js";
import provider, { runSetup } from "../src/index.js";

const DB_PASSWORD = "team-db-password-5117";
const MEMBER = { username: "mia", password: "mia-vault-pass-8821" };

/** Super admin: sets Vault up (not root). Admin: the team setup. Member: nothing extra. */
const SUPER_ADMIN = `
path "sys/auth" { capabilities = ["read"] }
path "sys/auth/*" { capabilities = ["create", "update", "read", "sudo"] }
path "sys/policies/acl/*" { capabilities = ["create", "update", "read"] }
path "sys/mounts" { capabilities = ["read"] }
path "identity/oidc/*" { capabilities = ["create", "read", "update", "list"] }
path "auth/*" { capabilities = ["create", "read", "update", "list"] }
path "secret/data/vaultlink/team" { capabilities = ["create", "read", "update", "delete"] }
`;
const ADMIN = `
path "secret/data/vaultlink/team" { capabilities = ["create", "read", "update", "delete"] }
path "secret/data/*" { capabilities = ["read"] }
`;

interface Team {
  emu: HashicorpEmulator;
  tokens: { superAdmin: string; admin: string; member: string };
  offset: { ms: number };
  homes: string[];
  vault(): Promise<Vault>;
}

async function startTeam(): Promise<Team> {
  const emu = await startHashicorpEmulator();
  emu.writeKv("secret", "app/db", { password: DB_PASSWORD });
  await emu.writePolicy("team-super-admin", SUPER_ADMIN);
  await emu.writePolicy("team-admin", ADMIN);
  await emu.writePolicy("plain-reader", 'path "secret/data/*" { capabilities = ["read"] }');
  emu.addUser({ ...MEMBER, policies: [] });
  const offset = { ms: 0 };
  const homes: string[] = [];
  return {
    emu,
    offset,
    homes,
    tokens: {
      superAdmin: emu.createToken({ policies: ["team-super-admin"] }),
      admin: emu.createToken({ policies: ["team-admin"] }),
      member: emu.createToken({ policies: ["plain-reader"] }),
    },
    async vault() {
      const home = await mkdtemp(join(tmpdir(), "vaultlink-hc-team-"));
      homes.push(home);
      const v = createVault({
        home,
        providers: [provider],
        keySources: [],
        clock: { now: () => Date.now() + offset.ms },
      });
      await v.create();
      return v;
    },
  };
}

/** The test plays the member's browser: sign in at the Vault UI, follow the redirect home. */
function browserSignIn(): { notify: (m: string) => void; done: Promise<void> } {
  let resolve: () => void = () => {};
  let reject: (e: unknown) => void = () => {};
  const done = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return {
    done,
    notify(message) {
      const url = /https?:\/\/\S+/.exec(message)?.[0];
      if (!url) return;
      (async () => {
        const r = await signInAtVaultUi(url, MEMBER);
        expect(r.status).toBe(302);
        const back = await fetch(r.location as string);
        expect(back.status).toBe(200);
      })().then(resolve, reject);
    },
  };
}

/** After each test: the vaults it opened closed, the emulator stopped, the homes removed. */
async function endTeam(team: Team, open: Vault[]): Promise<void> {
  for (const v of open.splice(0)) await v.dispose();
  await team.emu.stop();
  for (const h of team.homes) await rm(h, { recursive: true, force: true });
}

describe("the team setup lives in Vault; Vault's policies decide the roles", () => {
  let team: Team;
  const open: Vault[] = [];
  beforeEach(async () => {
    team = await startTeam();
  });
  afterEach(() => endTeam(team, open));

  it("setup prepares an empty Vault (second run: no change; dry run: nothing written), the admin and a member join, Vault refuses the member, the admin's disconnect reaches the member", async () => {
    const { emu, tokens } = team;
    const lines: string[] = [];
    const inputs = { address: emu.url, token: tokens.superAdmin };
    // A dry run on the empty Vault prints what it would do and writes nothing.
    const dry = await runSetup({ options: inputs, dryRun: true, notify: (l) => lines.push(l) });
    expect(dry.changes.length).toBeGreaterThanOrEqual(7);
    expect(dry.changes.join("\n")).toContain("identity/oidc/client/postman-integration-client");
    expect(dry.changes.join("\n")).toContain("sys/auth/postman-jwt");
    const afterDry = await fetch(`${emu.url}/v1/sys/auth`, {
      headers: { "x-vault-token": emu.rootToken },
    }).then((r) => r.json() as Promise<Record<string, unknown>>);
    expect(Object.keys(afterDry)).not.toContain("postman-jwt/");
    expect(lines.join("\n")).not.toContain(tokens.superAdmin);

    const first = await runSetup({ options: inputs, dryRun: false, notify: () => {} });
    expect(first.changes.length).toBe(dry.changes.length);
    const again = await runSetup({ options: inputs, dryRun: false, notify: () => {} });
    expect(again.changes).toEqual([]);
    const values = Object.fromEntries(first.values.map((v) => [v.label, v.value]));
    expect(values).toMatchObject({
      "OIDC Provider URL": `${emu.url}/v1/identity/oidc/provider/postman-provider`,
      "JWT Auth Path": "postman-jwt",
      Role: "postman",
      Namespace: "",
    });
    expect(values["Client Id"]).toMatch(/^[A-Za-z0-9]{32}$/);

    // The admin joins with a token and the address alone; Vault says "admin".
    const adminVault = await team.vault();
    open.push(adminVault);
    await adminVault.integrations.join({
      provider: "hashicorp",
      method: "token",
      options: { address: emu.url, token: tokens.admin },
    });
    const adminInfo = await adminVault.integrations.status("hashicorp");
    expect(adminInfo.authMethod).toBe("oidc-provider");
    expect(adminInfo.settings).toMatchObject({ clientId: values["Client Id"], role: "postman" });

    // The member joins with the join code alone and signs in the Postman way.
    const code = encodeJoinCode({ provider: "hashicorp", setup: first.join });
    const memberVault = await team.vault();
    open.push(memberVault);
    const browser = browserSignIn();
    const joined = await memberVault.integrations.join({
      provider: "hashicorp",
      setup: decodeJoinCode(code).setup,
      options: { callbackPort: 0, openBrowser: false },
      notify: browser.notify,
    });
    await browser.done;
    expect(joined).toMatchObject({ status: "connected", authMethod: "oidc-provider" });
    await memberVault.links.link("db", {
      integration: "hashicorp",
      reference: "secret/app/db#password",
    });
    expect(await memberVault.resolve("db")).toMatchObject({ ok: true, value: DB_PASSWORD });

    // Vault says "member": configure and disconnect are refused, nothing changes anywhere.
    const before = await memberVault.integrations.status("hashicorp");
    const disconnect = await memberVault.integrations.disconnect("hashicorp").catch((e) => e);
    expect(disconnect).toMatchObject({ code: "ACCESS_DENIED" });
    expect(disconnect.message).toContain("Only a team Admin or Super Admin can disconnect");
    expect(disconnect.message).toContain("secret/vaultlink/team");
    const configure = await memberVault.integrations
      .configure("hashicorp", { role: "other" })
      .catch((e) => e);
    expect(configure).toMatchObject({ code: "ACCESS_DENIED" });
    expect(await memberVault.integrations.status("hashicorp")).toEqual(before);
    const stillThere = await fetch(`${emu.url}/v1/secret/data/vaultlink/team`, {
      headers: { "x-vault-token": emu.rootToken },
    });
    expect(stillThere.status).toBe(200);

    // The admin changes the setup; the member follows on the next use after the recheck.
    await adminVault.integrations.configure("hashicorp", { timeoutSeconds: 20 });
    team.offset.ms += TEAM_RECHECK_MS;
    expect(await memberVault.resolve("db")).toMatchObject({ ok: true });
    expect((await memberVault.integrations.status("hashicorp")).settings.timeoutSeconds).toBe(20);

    // The admin disconnects: removed for everyone.
    const seen: unknown[] = [];
    memberVault.events.on("IntegrationDisconnected", (p) => seen.push(p));
    await adminVault.integrations.disconnect("hashicorp");
    team.offset.ms += TEAM_RECHECK_MS;
    const after = await memberVault.resolve("db");
    expect(after).toMatchObject({ ok: false, reason: "disconnected" });
    expect(after.ok ? "" : after.message).toContain("disconnected by the team");
    expect(seen).toEqual([
      { integration: "hashicorp", provider: "hashicorp", unresolved: ["db"], by: "team" },
    ]);
    expect((await memberVault.cache.status()).entries).toEqual([]);
  });

  it("the role comes from sys/capabilities-self: super admin, admin, member; a denied check is a member", async () => {
    const { emu, tokens } = team;
    await runSetup({
      options: { address: emu.url, token: tokens.superAdmin },
      dryRun: false,
      notify: () => {},
    });
    await emu.writePolicy(
      "denies-capabilities",
      'path "sys/capabilities-self" { capabilities = ["deny"] }',
    );
    const roleOf = async (token: string) => {
      const ctx = createTestContext({
        integration: {
          id: "hashicorp",
          authMethod: "oidc-provider",
          settings: { address: emu.url, authMount: "postman-jwt" },
        },
      });
      const instance = await provider.create(ctx);
      try {
        const session = await instance.authenticate({
          method: "token",
          settings: { address: emu.url },
          secrets: { token },
        });
        await ctx.saveSession(session);
        const live = await provider.create({ ...ctx, session });
        try {
          return await live.team?.role();
        } finally {
          await live.dispose();
        }
      } finally {
        await instance.dispose();
      }
    };
    expect(await roleOf(tokens.superAdmin)).toBe("super-admin");
    expect(await roleOf(tokens.admin)).toBe("admin");
    expect(await roleOf(tokens.member)).toBe("member");
    expect(await roleOf(emu.rootToken)).toBe("super-admin");
    expect(await roleOf(emu.createToken({ policies: ["team-admin", "denies-capabilities"] }))).toBe(
      "member",
    );
  });
});

/**
 * Whoever can write the team setup (an admin, or someone holding an admin's token) decides what
 * every member's vault does next. A member's vault checks what it reads before following it.
 */
describe("a hostile or broken team record, hostile answers, a stray or absent browser", () => {
  let team: Team;
  const open: Vault[] = [];
  beforeEach(async () => {
    team = await startTeam();
  });
  afterEach(() => endTeam(team, open));

  /** The Postman setup, a member joined with the join code, `db` linked and read once. */
  async function joinedMember() {
    const { emu, tokens } = team;
    const setup = await runSetup({
      options: { address: emu.url, token: tokens.superAdmin },
      dryRun: false,
      notify: () => {},
    });
    const member = await team.vault();
    open.push(member);
    const browser = browserSignIn();
    await member.integrations.join({
      provider: "hashicorp",
      setup: setup.join,
      options: { callbackPort: 0, openBrowser: false },
      notify: browser.notify,
    });
    await browser.done;
    await member.links.link("db", {
      integration: "hashicorp",
      reference: "secret/app/db#password",
    });
    const published = (await fetch(`${emu.url}/v1/secret/data/vaultlink/team`, {
      headers: { "x-vault-token": emu.rootToken },
    }).then((r) => r.json())) as { data: { data: Record<string, unknown> } };
    return { member, good: published.data.data };
  }

  it("a record with wrong types, an unknown method, or sign-in sent to another host is not followed; the member keeps reading", async () => {
    const { emu } = team;
    const { member, good } = await joinedMember();
    const before = await member.integrations.status("hashicorp");
    const attempts: Array<[Record<string, unknown>, string]> = [
      [{ ...good, kvVersion: 9, timeoutSeconds: { x: 1 } }, 'Option "kvVersion"'],
      [{ ...good, timeoutSeconds: "soon" }, 'Option "timeoutSeconds"'],
      [{ ...good, authMount: "../../sys/policies/acl/x" }, 'Option "authMount"'],
      [{ ...good, authMethod: "root-token" }, 'the sign-in method "root-token"'],
      [
        { ...good, oidcProviderUrl: "https://attacker.example/v1/identity/oidc/provider/p" },
        "https://attacker.example, which is not where you joined",
      ],
      [
        { ...good, oidcProviderUrl: "javascript:alert(1)" },
        '"oidcProviderUrl" is not an http(s) URL',
      ],
    ];
    for (const [record, says] of attempts) {
      emu.writeKv("secret", "vaultlink/team", record);
      const { problem } = await member.integrations.syncTeam("hashicorp", { force: true });
      expect(problem?.code, says).toBe("TEAM_SETUP_INVALID");
      expect(problem?.message).toContain(says);
      expect(problem?.message).toContain("secret/vaultlink/team in Vault at");
      if (says.includes("attacker"))
        expect(problem?.hint).toContain("vaultlink integration join hashicorp <join code>");
      expect(await member.integrations.status("hashicorp")).toEqual(before);
      // A use after the recheck time reads on, with the last good setup.
      team.offset.ms += TEAM_RECHECK_MS;
      expect(await member.resolve("db")).toMatchObject({ ok: true, value: DB_PASSWORD });
    }

    // Unknown fields (a newer vaultlink) are ignored; a setting the setup drops is dropped.
    emu.writeKv("secret", "vaultlink/team", { ...good, timeoutSeconds: 20, addedLater: { a: 1 } });
    expect(await member.integrations.syncTeam("hashicorp", { force: true })).toEqual({});
    const followed = await member.integrations.status("hashicorp");
    expect(followed.settings.timeoutSeconds).toBe(20);
    expect(followed.settings).not.toHaveProperty("addedLater");
    emu.writeKv("secret", "vaultlink/team", good);
    await member.integrations.syncTeam("hashicorp", { force: true });
    expect((await member.integrations.status("hashicorp")).settings).not.toHaveProperty(
      "timeoutSeconds",
    );
    expect(await member.resolve("db")).toMatchObject({ ok: true, value: DB_PASSWORD });
  });

  it("an unreadable answer (not JSON, 500, 429, a 403 echoing the token, a hang past the deadline) changes nothing and leaks nothing", async () => {
    const { emu } = team;
    const { member, good } = await joinedMember();
    const before = await member.integrations.status("hashicorp");
    const faults = [
      { status: 200, headers: { "content-type": "application/json" }, body: "{not json" },
      { status: 500, body: '{"errors":["internal error"]}' },
      { status: 429, body: '{"errors":["rate limited"]}' },
      { status: 403, body: '{"errors":["permission denied: {{request}}"]}', echoRequest: true },
    ];
    for (const error of faults) {
      emu.clearFaults();
      emu.inject({ pathPrefix: "/v1/secret/data/vaultlink/team", error });
      const { problem, unchecked } = await member.integrations.syncTeam("hashicorp", {
        force: true,
      });
      expect(problem).toBeUndefined();
      expect(unchecked, JSON.stringify(error)).toBeDefined();
      const said = JSON.stringify({ m: unchecked?.message, h: unchecked?.hint });
      for (const t of emu.state.tokens.live()) expect(said.includes(t.id)).toBe(false);
      expect(await member.integrations.status("hashicorp"), JSON.stringify(error)).toEqual(before);
    }
    emu.clearFaults();
    expect(await member.resolve("db")).toMatchObject({ ok: true, value: DB_PASSWORD });

    // A Vault that hangs past the deadline (the team's 1 s): "could not check", nothing changes.
    emu.writeKv("secret", "vaultlink/team", { ...good, timeoutSeconds: 1 });
    await member.integrations.syncTeam("hashicorp", { force: true });
    const quick = await member.integrations.status("hashicorp");
    expect(quick.settings.timeoutSeconds).toBe(1);
    emu.inject({ pathPrefix: "/v1/secret/data/vaultlink/team", latencyMs: 10_000 });
    const hung = await member.integrations.syncTeam("hashicorp", { force: true });
    emu.clearFaults();
    expect(hung.unchecked?.code).toBe("UNREACHABLE");
    // Vault's client and core's deadline both stop at 1 s; either says so.
    expect(hung.unchecked?.message).toMatch(/did not answer in time|timed out after 1 s/);
    expect(await member.integrations.status("hashicorp")).toEqual(quick);

    // The admin's disconnect against a Vault that echoes the request (token and all) in a 403.
    const admin = await team.vault();
    open.push(admin);
    await admin.integrations.join({
      provider: "hashicorp",
      method: "token",
      options: { address: emu.url, token: team.tokens.admin },
    });
    emu.inject({
      pathPrefix: "/v1/secret/data/vaultlink/team",
      error: { status: 403, body: '{"errors":["denied: {{request}}"]}', echoRequest: true },
    });
    const denied = await admin.integrations.disconnect("hashicorp").catch((e) => e);
    emu.clearFaults();
    expect(denied.code).toBe("PERMISSION_DENIED");
    expect(JSON.stringify({ m: denied.message, h: denied.hint })).not.toContain(team.tokens.admin);
    expect((await admin.integrations.status("hashicorp")).status).toBe("connected");
    // Asking Vault for the role fails (500, 429, echoing the request): refused, says what to do.
    for (const [status, code, says] of [
      [500, "PROVIDER_ERROR", "Vault's server log"],
      [429, "THROTTLED", "Wait a moment"],
    ] as const) {
      emu.inject({
        pathPrefix: "/v1/sys/capabilities-self",
        error: { status, body: '{"errors":["{{request}}"]}', echoRequest: true },
      });
      const failed = await admin.integrations.disconnect("hashicorp").catch((e) => e);
      emu.clearFaults();
      expect(failed.code).toBe(code);
      expect(failed.hint).toContain(says);
      expect(JSON.stringify({ m: failed.message, h: failed.hint })).not.toContain(
        team.tokens.admin,
      );
    }
    expect((await admin.integrations.status("hashicorp")).status).toBe("connected");
    const setupStill = await fetch(`${emu.url}/v1/secret/data/vaultlink/team`, {
      headers: { "x-vault-token": emu.rootToken },
    });
    expect(setupStill.status).toBe(200);
  });

  it("a member who signed out joins again with a join code; a refused join ends the session it signed in for", async () => {
    const { emu } = team;
    const { member, good } = await joinedMember();
    await member.integrations.signOut("hashicorp");
    emu.writeKv("secret", "vaultlink/team", {
      ...good,
      oidcProviderUrl: "https://attacker.example/v1/identity/oidc/provider/p",
    });
    // Tokens the JWT sign-in obtained (the Vault UI's own sign-in token is the browser's).
    const signInTokens = () =>
      emu.state.tokens.live().filter((t) => t.displayName.startsWith("postman-jwt-"));
    expect(signInTokens()).toEqual([]);
    const setup = {
      authMethod: "oidc-provider",
      settings: {
        address: emu.url,
        oidcProviderUrl: good.oidcProviderUrl,
        clientId: good.clientId,
        authMount: good.authMount,
        role: good.role,
      },
    };
    const refusedBrowser = browserSignIn();
    const refused = await member.integrations
      .join({
        provider: "hashicorp",
        setup,
        options: { callbackPort: 0, openBrowser: false },
        notify: refusedBrowser.notify,
      })
      .catch((e) => e);
    await refusedBrowser.done;
    expect(refused).toMatchObject({ code: "TEAM_SETUP_INVALID" });
    expect(signInTokens()).toEqual([]);
    expect((await member.integrations.status("hashicorp")).status).toBe("auth-expired");

    emu.writeKv("secret", "vaultlink/team", good);
    const browser = browserSignIn();
    const joined = await member.integrations.join({
      provider: "hashicorp",
      setup,
      options: { callbackPort: 0, openBrowser: false },
      notify: browser.notify,
    });
    await browser.done;
    expect(joined.status).toBe("connected");
    expect(await member.resolve("db")).toMatchObject({ ok: true, value: DB_PASSWORD });
    // Signed in, a second join is refused and says how to join again.
    const again = await member.integrations
      .join({ provider: "hashicorp", setup, options: { openBrowser: false } })
      .catch((e) => e);
    expect(again).toMatchObject({ code: "INTEGRATION_EXISTS" });
    expect(again.hint).toContain("vaultlink integration signout hashicorp");
  });

  it("Postman's sign-in: a redirect with another state is turned away, a second hit changes nothing, the member signs in", async () => {
    const { emu, tokens } = team;
    const setup = await runSetup({
      options: { address: emu.url, token: tokens.superAdmin },
      dryRun: false,
      notify: () => {},
    });
    const member = await team.vault();
    open.push(member);
    const statuses: number[] = [];
    let flow: Promise<void> = Promise.resolve();
    await member.integrations.join({
      provider: "hashicorp",
      setup: setup.join,
      options: { callbackPort: 0, openBrowser: false },
      notify(message) {
        const url = /https?:\/\/\S+/.exec(message)?.[0];
        if (!url) return;
        flow = (async () => {
          const ui = await signInAtVaultUi(url, MEMBER);
          const real = new URL(ui.location as string);
          const forged = new URL(real);
          forged.searchParams.set("state", "forged-by-another-page");
          const stray = await fetch(forged);
          statuses.push(stray.status);
          expect(await stray.text()).toContain("not the sign-in vaultlink is waiting for");
          expect(emu.requests.count("oidc-provider.token")).toBe(0);
          // Hold the code exchange so the second hit surely arrives while the first is handled.
          emu.inject({ operation: "oidc-provider.token", latencyMs: 1_500, times: 1 });
          const first = fetch(real);
          while (emu.requests.count("oidc-provider.token") === 0)
            await new Promise((r) => setTimeout(r, 10));
          const second = await fetch(real);
          statuses.push(second.status);
          statuses.push((await first).status);
        })();
      },
    });
    await flow;
    expect(statuses).toEqual([400, 409, 200]);
    expect(emu.requests.count("oidc-provider.token")).toBe(1);
    expect(await member.integrations.status("hashicorp")).toMatchObject({ status: "connected" });
  });

  it("a browser that never comes back: the wait ends with what happened and the command to run", async () => {
    const loopback = await openLoopback([0], "/");
    try {
      const waited = await loopback
        .waitForRedirect(50, { state: "s", integrationId: "hashicorp" })
        .catch((e) => e);
      expect(waited).toMatchObject({ code: "AUTH_FAILED" });
      expect(waited.message).toContain("the browser was closed");
      expect(waited.hint).toContain("vaultlink integration reauth hashicorp");
    } finally {
      loopback.close();
    }
  });

  it("Postman's sign-in checks the provider's issuer: a provider answering as another issuer is refused before any login", async () => {
    const { emu, tokens } = team;
    const setup = await runSetup({
      options: { address: emu.url, token: tokens.superAdmin },
      dryRun: false,
      notify: () => {},
    });
    // The provider now names another host as its issuer (its ID tokens say so too).
    const changed = await fetch(`${emu.url}/v1/identity/oidc/provider/postman-provider`, {
      method: "POST",
      headers: { "x-vault-token": emu.rootToken, "content-type": "application/json" },
      body: JSON.stringify({ issuer: "http://localhost:1" }),
    });
    expect(changed.status).toBeLessThan(300);
    const member = await team.vault();
    open.push(member);
    const refused = await member.integrations
      .join({
        provider: "hashicorp",
        setup: setup.join,
        options: { callbackPort: 0, openBrowser: false },
        notify: () => {},
      })
      .catch((e) => e);
    expect(refused).toMatchObject({ code: "AUTH_FAILED" });
    expect(refused.message).toContain("could not be used");
    expect(refused.hint).toContain("oidcProviderUrl");
    expect(emu.requests.count("login.jwt")).toBe(0);
    expect(await member.integrations.list()).toEqual([]);
  });
});
