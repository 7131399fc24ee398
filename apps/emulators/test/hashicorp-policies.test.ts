import { describe, expect, it } from "vitest";
import { apiError, emulator, useFrozenEmulator, vaultClient } from "./hashicorp-support.js";

const TEAM_PATH = "secret/data/vaultlink/team";

const SUPER_ADMIN = `
# manages the Vault side of the team setup
path "sys/auth" { capabilities = ["read"] }
path "sys/auth/*" { capabilities = ["create", "read", "update", "delete", "sudo"] }
path "sys/policy/*" { capabilities = ["create", "read", "update", "delete"] }
path "sys/policies/acl/*" { capabilities = ["create", "read", "update", "delete", "list"] }
path "identity/oidc/*" { capabilities = ["create", "read", "update", "delete", "list"] }
path "auth/*" { capabilities = ["create", "read", "update", "delete", "list"] }
path "${TEAM_PATH}" { capabilities = ["create", "read", "update", "delete"] }
`;

const ADMIN = `
path "${TEAM_PATH}" {
  capabilities = ["create", "read", "update", "delete"]
}
path "secret/data/*" { capabilities = ["read"] }
`;

const MEMBER = `
path "${TEAM_PATH}" { capabilities = ["read"] }
// the secrets the team links
path "secret/data/app/*" { capabilities = ["read"] }
`;

/** Root writes the three policies through the API and mints one token per role. */
async function threeTokens() {
  const root = vaultClient(emulator, { token: emulator.rootToken });
  await root.addPolicy({ name: "team-super-admin", rules: SUPER_ADMIN });
  await root.write("sys/policies/acl/team-admin", { policy: ADMIN });
  await root.write("sys/policy/team-member", { policy: MEMBER });
  const mint = async (policy: string) =>
    (await root.write("auth/token/create", { policies: [policy] })).auth.client_token as string;
  return {
    root,
    superAdmin: vaultClient(emulator, { token: await mint("team-super-admin") }),
    admin: vaultClient(emulator, { token: await mint("team-admin") }),
    member: vaultClient(emulator, { token: await mint("team-member") }),
  };
}

useFrozenEmulator(() => {
  emulator.writeKv("secret", "vaultlink/team", { address: "http://vault.example:8200" });
  emulator.writeKv("secret", "app/db", { pass: "pw" });
  emulator.writeKv("secret", "other/db", { pass: "other" });
});

describe("Vault emulator: HCL policies written over the API gate requests per token", () => {
  it("a member reads the team path but cannot write it; an admin writes it", async () => {
    const { admin, member } = await threeTokens();
    expect((await member.read(TEAM_PATH)).data.data).toEqual({
      address: "http://vault.example:8200",
    });
    const denied = await apiError(member.write(TEAM_PATH, { data: { address: "x" } }), 403);
    expect(denied.response?.body).toEqual({ errors: ["permission denied"] });
    await apiError(member.read("secret/data/other/db"), 403);
    await admin.write(TEAM_PATH, { data: { address: "http://vault.example:8201" } });
    expect((await member.read(TEAM_PATH)).data.data.address).toBe("http://vault.example:8201");
    expect((await admin.read("secret/data/other/db")).data.data).toEqual({ pass: "other" });
  });

  it("capabilities-self answers per path (and `capabilities` for a single path)", async () => {
    const { superAdmin, admin, member, root } = await threeTokens();
    const ask = (client: typeof member, body: object) =>
      client.write("sys/capabilities-self", body);
    const paths = [TEAM_PATH, "sys/auth/postman-jwt", "identity/oidc/client/x"];
    const forMember = await ask(member, { paths });
    expect(forMember[TEAM_PATH]).toEqual(["read"]);
    expect(forMember["sys/auth/postman-jwt"]).toEqual(["deny"]);
    expect(forMember.data[TEAM_PATH]).toEqual(["read"]);
    expect(forMember.capabilities).toBeUndefined();
    const forAdmin = await ask(admin, { paths });
    expect(forAdmin[TEAM_PATH]).toEqual(["create", "delete", "read", "update"]);
    expect(forAdmin["identity/oidc/client/x"]).toEqual(["deny"]);
    const forSuper = await ask(superAdmin, { paths });
    expect(forSuper["sys/auth/postman-jwt"]).toEqual([
      "create",
      "delete",
      "read",
      "sudo",
      "update",
    ]);
    expect(forSuper["identity/oidc/client/x"]).toEqual([
      "create",
      "delete",
      "list",
      "read",
      "update",
    ]);
    const single = await ask(admin, { path: TEAM_PATH });
    expect(single.capabilities).toEqual(["create", "delete", "read", "update"]);
    expect((await ask(root, { paths: [TEAM_PATH] }))[TEAM_PATH]).toEqual(["root"]);
    await apiError(ask(member, {}), 400);
  });

  it("sys/auth needs sudo: only the super admin enables, reads and disables a method", async () => {
    const { superAdmin, admin, member } = await threeTokens();
    for (const client of [admin, member]) {
      await apiError(client.write("sys/auth/postman-jwt", { type: "jwt" }), 403);
    }
    await superAdmin.write("sys/auth/postman-jwt", { type: "jwt", description: "Postman" });
    const listed = await superAdmin.read("sys/auth");
    expect(listed.data["postman-jwt/"]).toMatchObject({ type: "jwt", description: "Postman" });
    expect(listed["token/"]).toMatchObject({ type: "token" });
    const again = await apiError(superAdmin.write("sys/auth/postman-jwt", { type: "jwt" }), 400);
    expect(again.message).toBe("path is already in use at postman-jwt/");
    const unknown = await apiError(superAdmin.write("sys/auth/k8s", { type: "kubernetes" }), 400);
    expect(unknown.message).toBe("plugin not found in the catalog: kubernetes");
    expect((await superAdmin.read("sys/auth/postman-jwt")).data.type).toBe("jwt");
    await apiError(admin.delete("sys/auth/postman-jwt"), 403);
    await superAdmin.delete("sys/auth/postman-jwt");
    expect((await superAdmin.read("sys/auth")).data["postman-jwt/"]).toBeUndefined();
  });

  it("policies can be read back, listed and deleted; bad HCL is 400 and changes nothing", async () => {
    const { root, superAdmin, admin } = await threeTokens();
    expect((await root.read("sys/policy/team-member")).data.rules).toBe(MEMBER);
    expect((await root.read("sys/policies/acl/team-admin")).data.policy).toBe(ADMIN);
    const listed = await root.list("sys/policies/acl");
    expect(listed.data.keys).toEqual(
      expect.arrayContaining(["default", "root", "team-admin", "team-member", "team-super-admin"]),
    );
    expect((await root.read("sys/policy")).policies).toContain("team-admin");
    const broken = await apiError(
      superAdmin.write("sys/policy/team-member", { policy: 'path "x" { capabilities = [' }),
      400,
    );
    expect(broken.message).toMatch(/^failed to parse policy: /);
    const badCap = await apiError(
      superAdmin.write("sys/policy/odd", { policy: 'path "x" { capabilities = ["fly"] }' }),
      400,
    );
    expect(badCap.message).toContain('invalid capability "fly"');
    expect((await root.read("sys/policy/team-member")).data.rules).toBe(MEMBER);
    await apiError(
      admin.write("sys/policy/team-admin", { policy: 'path "*" { capabilities = ["sudo"] }' }),
      403,
    );
    await apiError(root.delete("sys/policy/default"), 400);
    await superAdmin.delete("sys/policy/team-member");
    await apiError(root.read("sys/policy/team-member"), 404);
  });

  it("a deleted policy stops granting at once; tokens keep their names but lose the rights", async () => {
    const { root, member } = await threeTokens();
    expect((await member.read(TEAM_PATH)).data.data).toBeDefined();
    await root.delete("sys/policy/team-member");
    await apiError(member.read(TEAM_PATH), 403);
  });

  it("merges as Vault does: the highest-priority matching pattern decides, deny wins in it", async () => {
    await emulator.writePolicy("wide", 'path "secret/*" { capabilities = ["read", "list"] }');
    await emulator.writePolicy("narrow", 'path "secret/data/+/db" { capabilities = ["update"] }');
    await emulator.writePolicy("fence", 'path "secret/data/other/db" { capabilities = ["deny"] }');
    await emulator.writePolicy("old-style", 'path "secret/data/app/*" { policy = "write" }');
    const caps = (policies: string[], path: string) =>
      emulator.state.policies.capabilities(["default", ...policies], path);
    // `secret/data/+/db` beats `secret/*` (its first wildcard comes later): no read on it.
    expect(caps(["wide", "narrow"], "secret/data/app/db")).toEqual(["update"]);
    expect(caps(["wide", "narrow"], "secret/data/app/other")).toEqual(["list", "read"]);
    expect(caps(["wide", "narrow", "fence"], "secret/data/other/db")).toEqual(["deny"]);
    expect(caps(["old-style"], "secret/data/app/x")).toEqual([
      "create",
      "delete",
      "list",
      "read",
      "update",
    ]);
    expect(caps([], "sys/capabilities-self")).toEqual(["update"]);
    expect(caps([], "identity/oidc/provider/any/authorize")).toEqual(["read", "update"]);
    expect(caps([], "secret/data/app/db")).toEqual(["deny"]);
    await expect(
      emulator.writePolicy("bad", 'path "a*b" { capabilities = ["read"] }'),
    ).rejects.toThrow(/may only be at the end/);
  });

  it("auth/token/create needs a policy allowing it, and hands out only the caller's policies", async () => {
    const { root, member } = await threeTokens();
    await apiError(member.write("auth/token/create", { policies: ["team-member"] }), 403);
    await root.write("sys/policy/minter", {
      policy: 'path "auth/token/create" { capabilities = ["update"] }',
    });
    const minterToken = (
      await root.write("auth/token/create", { policies: ["minter", "team-member"] })
    ).auth.client_token as string;
    const minter = vaultClient(emulator, { token: minterToken });
    const child = await minter.write("auth/token/create", { policies: ["team-member"] });
    expect(child.auth.policies).toEqual(["default", "team-member"]);
    const refused = await apiError(
      minter.write("auth/token/create", { policies: ["team-admin"] }),
      400,
    );
    expect(refused.message).toBe("child policies must be subset of parent");
  });

  it("sys/mounts/<path> enables a KV engine (v1 or v2) where policies allow it", async () => {
    const { root, member } = await threeTokens();
    await apiError(
      member.write("sys/mounts/team-kv", { type: "kv", options: { version: "2" } }),
      403,
    );
    await root.write("sys/mounts/team-kv", { type: "kv", options: { version: "2" } });
    expect((await root.mounts()).data["team-kv/"].options).toEqual({ version: "2" });
    await root.write("team-kv/data/setup", { data: { role: "postman" } });
    expect((await root.read("team-kv/data/setup")).data.data).toEqual({ role: "postman" });
    const taken = await apiError(root.write("sys/mounts/team-kv", { type: "kv" }), 400);
    expect(taken.message).toBe("path is already in use at team-kv/");
    await apiError(root.write("sys/mounts/sys/x", { type: "kv" }), 400);
    await apiError(root.write("sys/mounts/db", { type: "database" }), 400);
    await root.delete("sys/mounts/team-kv");
    await apiError(root.read("team-kv/data/setup"), 404);
  });

  it("sys/internal/ui/mounts/<path> tells the engine's version to a token with access inside it", async () => {
    await emulator.writePolicy(
      "postman-like",
      'path "*" { capabilities = ["read"] }\npath "sys/*" { capabilities = ["deny"] }',
    );
    await emulator.writePolicy("kv-only", 'path "kv/app/*" { capabilities = ["read"] }');
    const postman = vaultClient(emulator, {
      token: emulator.createToken({ policies: ["postman-like"] }),
    });
    await apiError(postman.mounts(), 403);
    const secret = await postman.read("sys/internal/ui/mounts/secret");
    expect(secret.data).toMatchObject({ type: "kv", path: "secret/", options: { version: "2" } });
    expect((await postman.read("sys/internal/ui/mounts/kv/app/x")).data.options).toEqual({
      version: "1",
    });
    const narrow = vaultClient(emulator, {
      token: emulator.createToken({ policies: ["kv-only"] }),
    });
    expect((await narrow.read("sys/internal/ui/mounts/kv")).data.path).toBe("kv/");
    await apiError(narrow.read("sys/internal/ui/mounts/secret"), 403);
    await apiError(narrow.read("sys/internal/ui/mounts/nothing-here"), 403);
    await apiError(
      vaultClient(emulator, { token: "hvs.bogus" }).read("sys/internal/ui/mounts/kv"),
      403,
    );
  });

  it("writes follow Vault's existence checks: create for a new object, update for an existing one", async () => {
    await emulator.writePolicy(
      "only-update",
      `path "secret/data/*" { capabilities = ["update"] }
path "identity/oidc/client/*" { capabilities = ["update"] }`,
    );
    await emulator.writePolicy(
      "only-create",
      `path "secret/data/*" { capabilities = ["create"] }
path "identity/oidc/client/*" { capabilities = ["create"] }
path "sys/policy/*" { capabilities = ["create"] }`,
    );
    const updater = vaultClient(emulator, {
      token: emulator.createToken({ policies: ["only-update"] }),
    });
    const creator = vaultClient(emulator, {
      token: emulator.createToken({ policies: ["only-create"] }),
    });
    await updater.write(TEAM_PATH, { data: { address: "changed" } });
    await apiError(updater.write("secret/data/vaultlink/new", { data: { a: "1" } }), 403);
    await creator.write("secret/data/vaultlink/new", { data: { a: "1" } });
    await apiError(creator.write(TEAM_PATH, { data: { address: "again" } }), 403);
    await creator.write("identity/oidc/client/app", { redirect_uris: ["http://127.0.0.1:1/"] });
    await apiError(creator.write("identity/oidc/client/app", { redirect_uris: [] }), 403);
    await updater.write("identity/oidc/client/app", { id_token_ttl: "1h" });
    await apiError(updater.write("identity/oidc/client/other", {}), 403);
    // sys/policy has no existence check in Vault: a write is always an update.
    await apiError(
      creator.write("sys/policy/p", { policy: 'path "a" { capabilities = ["read"] }' }),
      403,
    );
  });
});
