import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  browserStandInEnv,
  type HashicorpEmulator,
  startHashicorpEmulator,
  writeVaultBrowserStandIn,
} from "@vaultlink/emulators";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createVault,
  describeRun,
  type E2eVault,
  EXIT,
  editVaultDocument,
  hasStackTrace,
  leaksAny,
  runCli,
} from "./helpers.js";

const DB_PASSWORD = "e2e-team-db-password-40f1";
const MEMBER = { username: "mia", password: "e2e-mia-vault-pass-77ab" };
const SECOND = { username: "ben", password: "e2e-ben-vault-pass-19cd" };

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

/**
 * Done means of issue 15, through the built CLI: a super admin prepares an empty Vault with the
 * setup command (a dry run first changes nothing), an admin and a member each on their own
 * VAULTLINK_HOME, three real tokens, real HCL policies, the member signs in the Postman way
 * (a browser stand-in signs in at the Vault UI), Vault decides who may do what.
 */
describe("HashiCorp team integration: setup, join, roles from Vault (built CLI, emulator)", () => {
  let emu: HashicorpEmulator;
  let dir: string;
  let admin: E2eVault;
  let member: E2eVault;
  let second: E2eVault;
  let secondEnv: Record<string, string | undefined> = {};
  let code = "";
  const tokens: string[] = [];
  const secrets = () => [DB_PASSWORD, MEMBER.password, SECOND.password, ...tokens];
  const all: { stderr: string; stdout: string }[] = [];
  let memberEnv: Record<string, string | undefined> = {};
  const superEnv = () => ({ VAULT_ADDR: emu.url, VAULT_TOKEN: tokens[0] });

  beforeAll(async () => {
    emu = await startHashicorpEmulator();
    emu.writeKv("secret", "app/db", { password: DB_PASSWORD });
    await emu.writePolicy("team-super-admin", SUPER_ADMIN);
    await emu.writePolicy("team-admin", ADMIN);
    emu.addUser({ ...MEMBER, policies: [] });
    emu.addUser({ ...SECOND, policies: [] });
    tokens.push(
      emu.createToken({ policies: ["team-super-admin"] }),
      emu.createToken({ policies: ["team-admin"] }),
      emu.createToken({ policies: ["default"] }),
    );
    dir = mkdtempSync(join(tmpdir(), "vaultlink-team-e2e-"));
    const browser = await writeVaultBrowserStandIn(dir, MEMBER);
    memberEnv = browserStandInEnv(browser);
    mkdirSync(join(dir, "ben"), { mode: 0o700 });
    secondEnv = browserStandInEnv(await writeVaultBrowserStandIn(join(dir, "ben"), SECOND));
    admin = await createVault();
    member = await createVault();
    second = await createVault();
  }, 60_000);
  afterAll(async () => {
    await emu?.stop();
    admin?.cleanup();
    member?.cleanup();
    second?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const sysAuth = async () =>
    Object.keys(
      (await fetch(`${emu.url}/v1/sys/auth`, { headers: { "x-vault-token": emu.rootToken } }).then(
        (r) => r.json(),
      )) as Record<string, unknown>,
    );

  it("a dry run prints every request it would make and changes nothing", async () => {
    const before = await sysAuth();
    const r = await runCli(["integration", "setup", "hashicorp", emu.url, "--dry-run"], {
      env: superEnv(),
    });
    all.push(r);
    expect(r.code, describeRun(r, secrets())).toBe(EXIT.ok);
    expect(r.stdout).toContain("would: POST");
    expect(r.stdout).toContain("identity/oidc/client/postman-integration-client");
    expect(r.stdout).toContain("sys/auth/postman-jwt");
    expect(r.stderr).toContain("nothing was changed");
    expect(await sysAuth()).toEqual(before);
    const team = await fetch(`${emu.url}/v1/secret/data/vaultlink/team`, {
      headers: { "x-vault-token": emu.rootToken },
    });
    expect(team.status).toBe(404);
  });

  it("without -y and without a terminal it asks for -y and changes nothing", async () => {
    const r = await runCli(["integration", "setup", "hashicorp", emu.url], { env: superEnv() });
    all.push(r);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/^error: The setup would make \d+ change\(s\)/m);
    expect(await sysAuth()).not.toContain("postman-jwt/");
  });

  it("the setup prepares the empty Vault, prints what members need and the join code; a second run changes nothing", async () => {
    const r = await runCli(["integration", "setup", "hashicorp", emu.url, "-y"], {
      env: superEnv(),
    });
    all.push(r);
    expect(r.code, describeRun(r, secrets())).toBe(EXIT.ok);
    for (const label of ["OIDC Provider URL", "JWT Auth Path", "Client Id", "Role", "Namespace"])
      expect(r.stdout).toContain(label);
    expect(r.stdout).toContain(`${emu.url}/v1/identity/oidc/provider/postman-provider`);
    expect(r.stdout).toContain("postman-jwt");
    code = /vaultlink integration join hashicorp (vlj1\.[A-Za-z0-9_-]+)/.exec(r.stdout)?.[1] ?? "";
    expect(code).not.toBe("");
    expect(await sysAuth()).toContain("postman-jwt/");
    const again = await runCli(["integration", "setup", "hashicorp", emu.url, "-y"], {
      env: superEnv(),
    });
    all.push(again);
    expect(again.code, describeRun(again, secrets())).toBe(EXIT.ok);
    expect(again.stderr).toContain("Nothing to change");
  });

  it("the admin joins with a token and the address, and publishes a change to the team setup", async () => {
    const joined = await admin.run(
      [
        "integration",
        "join",
        "hashicorp",
        "--method",
        "token",
        "--address",
        emu.url,
        "--secrets-stdin",
      ],
      { input: JSON.stringify({ token: tokens[1] }) },
    );
    expect(joined.code, describeRun(joined, secrets())).toBe(EXIT.ok);
    const configured = await admin.run([
      "integration",
      "configure",
      "hashicorp",
      "--timeoutSeconds",
      "20",
    ]);
    expect(configured.code, describeRun(configured, secrets())).toBe(EXIT.ok);
    const team = (await fetch(`${emu.url}/v1/secret/data/vaultlink/team`, {
      headers: { "x-vault-token": emu.rootToken },
    }).then((r) => r.json())) as { data: { data: Record<string, unknown> } };
    expect(team.data.data).toMatchObject({ authMethod: "oidc-provider", timeoutSeconds: 20 });
  });

  it("a member on another VAULTLINK_HOME joins with the join code, signs in the Postman way, links and reads", async () => {
    const joined = await member.run(["integration", "join", "hashicorp", code], { env: memberEnv });
    expect(joined.code, describeRun(joined, secrets())).toBe(EXIT.ok);
    expect(joined.stderr).toContain("Sign in to Vault in your browser");
    const status = await member.run(["integration", "status", "hashicorp", "--json"]);
    expect(JSON.parse(status.stdout)).toMatchObject({
      scope: "team",
      authMethod: "oidc-provider",
      status: "connected",
      settings: { timeoutSeconds: 20 },
    });
    const link = await member.run(["secret", "link", "db", "hashicorp", "secret/app/db#password"]);
    expect(link.code, describeRun(link, secrets())).toBe(EXIT.ok);
    const read = await member.run(["read", "db"]);
    expect(read.code, describeRun(read, secrets())).toBe(EXIT.ok);
    expect(read.stdout === `${DB_PASSWORD}\n`, "the member reads the value").toBe(true);
  });

  it("the member's signout revokes the token their sign-in obtained in Vault; reauth signs in again", async () => {
    const before = new Set(emu.state.tokens.live().map((t) => t.id));
    const out = await member.run(["integration", "signout", "hashicorp", "--json"]);
    expect(out.code, describeRun(out, secrets())).toBe(EXIT.ok);
    expect(JSON.parse(out.stdout)).toMatchObject({ status: "auth-expired", sessionEnded: true });
    const after = emu.state.tokens.live().map((t) => t.id);
    expect(after.filter((id) => !before.has(id))).toEqual([]);
    expect(after).toHaveLength(before.size - 1);
    // The admins' tokens, given by hand (the token method), are theirs and still work.
    for (const t of tokens) expect(after).toContain(t);
    const reauth = await member.run(["integration", "reauth", "hashicorp"], { env: memberEnv });
    expect(reauth.code, describeRun(reauth, secrets())).toBe(EXIT.ok);
    const read = await member.run(["read", "db"]);
    expect(read.code, describeRun(read, secrets())).toBe(EXIT.ok);
    all.push(out, reauth);
  });

  it("the member's disconnect and configure are refused naming the role, vault unchanged; no local file or variable changes that", async () => {
    const before = member.vaultHash();
    const disconnect = await member.run(["integration", "disconnect", "hashicorp"]);
    expect(disconnect.code).not.toBe(EXIT.ok);
    expect(disconnect.stderr).toMatch(/^error: Only a team Admin or Super Admin can disconnect/);
    const configure = await member.run(["integration", "configure", "hashicorp", "--role", "x"]);
    expect(configure.code).not.toBe(EXIT.ok);
    expect(configure.stderr).toMatch(/^error: Only a team Admin or Super Admin can change/);
    expect(member.vaultHash()).toBe(before);
    // What used to grant roles locally grants nothing now.
    const teamFile = join(member.home, "team.json");
    writeFileSync(teamFile, JSON.stringify({ members: { mia: "super-admin", root: "admin" } }));
    const forged = await member.run(["integration", "disconnect", "hashicorp"], {
      env: { VAULTLINK_USER: "mia", VAULTLINK_TEAM_FILE: teamFile, USER: "root" },
    });
    expect(forged.code).not.toBe(EXIT.ok);
    expect(forged.stderr).toContain("Only a team Admin or Super Admin");
    expect(member.vaultHash()).toBe(before);
    const flag = await member.run([
      "integration",
      "disconnect",
      "hashicorp",
      "--team-file",
      teamFile,
    ]);
    expect(flag.code).not.toBe(EXIT.ok);
    expect(member.vaultHash()).toBe(before);
    all.push(disconnect, configure, forged, flag);
  });

  const teamRecord = async () =>
    (
      (await fetch(`${emu.url}/v1/secret/data/vaultlink/team`, {
        headers: { "x-vault-token": emu.rootToken },
      }).then((r) => r.json())) as { data: { data: Record<string, unknown> } }
    ).data.data;

  it("editing the member's own vault file (scope, team binding, teamPath) touches only that vault; a member who signed out joins again", async () => {
    const published = await teamRecord();
    // Pointed at another path, the member is still a member there: refused, nothing written.
    editVaultDocument(member, (doc) => {
      const r = doc.integrations.hashicorp;
      if (r) r.settings = { ...r.settings, teamPath: "secret/mia/team", kvVersion: "1" };
    });
    const elsewhere = await member.run(["integration", "disconnect", "hashicorp"]);
    expect(elsewhere.code).not.toBe(EXIT.ok);
    expect(elsewhere.stderr).toMatch(/^error: Only a team Admin or Super Admin can disconnect/);
    // Made "personal", the disconnect is the member's own: the team's setup stays in Vault.
    editVaultDocument(member, (doc) => {
      const r = doc.integrations.hashicorp;
      if (r) {
        r.scope = "personal";
        delete r.team;
      }
    });
    const local = await member.run(["integration", "disconnect", "hashicorp"]);
    expect(local.code, describeRun(local, secrets())).toBe(EXIT.ok);
    expect(await teamRecord()).toEqual(published);
    const status = await admin.run(["integration", "status", "hashicorp", "--json"]);
    expect(JSON.parse(status.stdout)).toMatchObject({ status: "connected" });
    // Joining again restores the team binding (and Vault still says "member").
    const rejoined = await member.run(["integration", "join", "hashicorp", code], {
      env: memberEnv,
    });
    expect(rejoined.code, describeRun(rejoined, secrets())).toBe(EXIT.ok);
    const signedOut = await member.run(["integration", "signout", "hashicorp"]);
    expect(signedOut.code).toBe(EXIT.ok);
    const again = await member.run(["integration", "join", "hashicorp", code], { env: memberEnv });
    expect(again.code, describeRun(again, secrets())).toBe(EXIT.ok);
    const twice = await member.run(["integration", "join", "hashicorp", code], { env: memberEnv });
    expect(twice.code).not.toBe(EXIT.ok);
    expect(twice.stderr).toContain("vaultlink integration signout hashicorp");
    const refused = await member.run(["integration", "disconnect", "hashicorp"]);
    expect(refused.stderr).toMatch(/^error: Only a team Admin or Super Admin can disconnect/);
    const read = await member.run(["read", "db"]);
    expect(read.code, describeRun(read, secrets())).toBe(EXIT.ok);
    all.push(elsewhere, local, rejoined, signedOut, again, twice, refused);
  });

  it("a team record that sends sign-in to another host is not followed: status warns, sign-in stays on the member's Vault", async () => {
    const published = await teamRecord();
    emu.writeKv("secret", "vaultlink/team", {
      ...published,
      oidcProviderUrl: "https://attacker.example/v1/identity/oidc/provider/postman-provider",
      kvVersion: 7,
    });
    const status = await member.run(["integration", "status", "hashicorp", "--json"]);
    expect(status.code, describeRun(status, secrets())).toBe(EXIT.ok);
    expect(status.stderr).toMatch(/^warning: The team setup at secret\/vaultlink\/team/m);
    expect(status.stderr).toContain("hint:");
    const info = JSON.parse(status.stdout) as { settings: Record<string, unknown> };
    expect(info.settings.oidcProviderUrl).toBe(published.oidcProviderUrl);
    expect(info.settings.kvVersion).toBe(published.kvVersion);
    const read = await member.run(["read", "db"]);
    expect(read.code, describeRun(read, secrets())).toBe(EXIT.ok);
    const signout = await member.run(["integration", "signout", "hashicorp"]);
    expect(signout.code).toBe(EXIT.ok);
    const reauth = await member.run(["integration", "reauth", "hashicorp"], { env: memberEnv });
    expect(reauth.code, describeRun(reauth, secrets())).toBe(EXIT.ok);
    expect(reauth.stderr).toContain(`Sign in to Vault in your browser: ${emu.url}/`);
    expect(reauth.stderr).not.toContain("attacker.example/ui");
    emu.writeKv("secret", "vaultlink/team", published);
    // A Vault that echoes the request (token and all) into a 500: status says it could not check.
    emu.inject({
      pathPrefix: "/v1/secret/data/vaultlink/team",
      error: { status: 500, body: '{"errors":["failed: {{request}}"]}', echoRequest: true },
    });
    const unchecked = await member.run(["integration", "status", "hashicorp"]);
    emu.clearFaults();
    expect(unchecked.code, describeRun(unchecked, secrets())).toBe(EXIT.ok);
    expect(unchecked.stderr).toMatch(/^warning: Could not check the team's setup/m);
    const live = emu.state.tokens.live().map((t) => t.id);
    expect(leaksAny([unchecked.stderr, unchecked.stdout], live)).toBe(false);
    all.push(status, read, signout, reauth, unchecked);
  });

  it("a second member's sign-in and sign-out leave the first member signed in; a signed-out member removes their own team integration", async () => {
    const joined = await second.run(["integration", "join", "hashicorp", code], { env: secondEnv });
    expect(joined.code, describeRun(joined, secrets())).toBe(EXIT.ok);
    const link = await second.run(["secret", "link", "db", "hashicorp", "secret/app/db#password"]);
    expect(link.code, describeRun(link, secrets())).toBe(EXIT.ok);
    const first = await member.run(["read", "db"]);
    expect(first.code, describeRun(first, secrets())).toBe(EXIT.ok);
    const out = await second.run(["integration", "signout", "hashicorp"]);
    expect(out.code, describeRun(out, secrets())).toBe(EXIT.ok);
    // The first member's token still works in Vault (status asks Vault for the setup with it).
    const status = await member.run(["integration", "status", "hashicorp", "--json"]);
    expect(JSON.parse(status.stdout)).toMatchObject({ status: "connected" });
    expect(status.stderr).toBe("");
    const again = await member.run(["read", "db"]);
    expect(again.stdout === `${DB_PASSWORD}\n`, "the first member still reads").toBe(true);
    // The second member leaves: signed out, their team integration can be removed (it was
    // a dead end: remove wanted a disconnect, which members may not do).
    const published = await teamRecord();
    const linked = await second.run(["integration", "remove", "hashicorp"]);
    expect(linked.code).not.toBe(EXIT.ok);
    expect(linked.stderr).toContain("still linked from the secret db");
    const unlink = await second.run(["secret", "unlink", "db"]);
    expect(unlink.code, describeRun(unlink, secrets())).toBe(EXIT.ok);
    const removed = await second.run(["integration", "remove", "hashicorp"]);
    expect(removed.code, describeRun(removed, secrets())).toBe(EXIT.ok);
    const list = await second.run(["integration", "list", "--json"]);
    expect(JSON.parse(list.stdout)).toEqual([]);
    expect(await teamRecord()).toEqual(published);
    // Signed in, removal asks for a sign-out (not a disconnect, which is the team's).
    const signedIn = await member.run(["integration", "remove", "hashicorp"]);
    expect(signedIn.code).not.toBe(EXIT.ok);
    expect(signedIn.stderr).toContain("vaultlink integration signout hashicorp");
    all.push(joined, link, first, out, status, again, linked, unlink, removed, list, signedIn);
  });

  it("importing the admin's export brings secrets and links, never the admin's integration or role", async () => {
    const linked = await admin.run([
      "secret",
      "link",
      "team-db",
      "hashicorp",
      "secret/app/db#password",
    ]);
    expect(linked.code, describeRun(linked, secrets())).toBe(EXIT.ok);
    const file = join(dir, "admin-export.vlx");
    const password = { VAULTLINK_EXPORT_PASSWORD: "e2e-export-pass-6d2a" };
    const exported = await admin.run(["export", "--out", file], { env: password });
    expect(exported.code, describeRun(exported, secrets())).toBe(EXIT.ok);
    const before = JSON.parse((await member.run(["integration", "list", "--json"])).stdout);
    const imported = await member.run(["import", file], { env: password });
    expect(imported.code, describeRun(imported, secrets())).toBe(EXIT.ok);
    expect(JSON.parse((await member.run(["integration", "list", "--json"])).stdout)).toEqual(
      before,
    );
    const refused = await member.run(["integration", "disconnect", "hashicorp"]);
    expect(refused.stderr).toMatch(/^error: Only a team Admin or Super Admin can disconnect/);
    // The imported link reads with the member's own sign-in.
    const read = await member.run(["read", "team-db"]);
    expect(read.code, describeRun(read, secrets())).toBe(EXIT.ok);
    all.push(linked, exported, imported, refused, read);
  });

  it("an admin demoted in Vault is refused at once, whatever their vault remembers", async () => {
    await emu.writePolicy("team-admin", 'path "secret/data/*" { capabilities = ["read"] }');
    const configure = await admin.run(["integration", "configure", "hashicorp", "--role", "x"]);
    const disconnect = await admin.run(["integration", "disconnect", "hashicorp"]);
    await emu.writePolicy("team-admin", ADMIN);
    expect(configure.code).not.toBe(EXIT.ok);
    expect(configure.stderr).toMatch(/^error: Only a team Admin or Super Admin can change/);
    expect(disconnect.code).not.toBe(EXIT.ok);
    expect(disconnect.stderr).toContain("you are a team member");
    const status = await admin.run(["integration", "status", "hashicorp", "--json"]);
    expect(JSON.parse(status.stdout)).toMatchObject({ status: "connected" });
    all.push(configure, disconnect, status);
  });

  it("the admin's disconnect removes the setup for everyone: the member's next use reports it and the reference is unresolved", async () => {
    const r = await admin.run(["integration", "disconnect", "hashicorp"]);
    expect(r.code, describeRun(r, secrets())).toBe(EXIT.ok);
    expect(r.stderr).toContain("removed the team setup for everyone");
    // status asks the team's setup at once (a read does within a minute of the last check).
    const status = await member.run(["integration", "status", "hashicorp", "--json"]);
    expect(JSON.parse(status.stdout)).toMatchObject({
      status: "disconnected",
      statusReason: "disconnected by the team",
    });
    const read = await member.run(["read", "db"]);
    expect(read.code).not.toBe(EXIT.ok);
    expect(read.stdout).toBe("");
    expect(read.stderr).toContain("disconnected by the team");
    const cache = await member.run(["cache", "status", "--json"]);
    expect(JSON.stringify(JSON.parse(cache.stdout))).not.toContain("secret/app/db");
    // Signing in again cannot bring it back: why, and the command to run.
    const reauth = await member.run(["integration", "reauth", "hashicorp"], { env: memberEnv });
    expect(reauth.code).toBe(EXIT.auth);
    expect(reauth.stderr).toMatch(/^error: Integration "hashicorp" was disconnected by the team/);
    expect(reauth.stderr).toContain("vaultlink integration join hashicorp <join code>");
    all.push(r, read, status, reauth);
  });

  it("no token, password or value in any stderr, and no stack trace", () => {
    const runs = [...all, ...admin.runs, ...member.runs, ...second.runs];
    expect(
      leaksAny(
        runs.map((r) => r.stderr),
        secrets(),
      ),
    ).toBe(false);
    expect(runs.some((r) => hasStackTrace(r.stderr))).toBe(false);
  });
});
