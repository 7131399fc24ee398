import { type HashicorpEmulator, startHashicorpEmulator } from "@vaultlink/emulators";
import { describe, expect, it } from "vitest";
import { EXIT, integrationStatus, providerE2e } from "./helpers.js";

const API_KEY = "vault-e2e-api-key-c4d2a9e17";
const DB_PASSWORD = "vault-e2e-db-password-6a0f3b8";
const OLD_API_KEY = "vault-e2e-old-api-key-71c0e3d";
const MEMBER_PASSWORD = "vault-e2e-member-password-e51d";
const MEMBER = "e2e-member";

// The provider's common e2e checks, for the admin who connects (and so publishes the team
// setup) with the root token. Members, roles and the Postman sign-in: hashicorp-team.e2e.test.ts.
describe("HashiCorp Vault (team integration) through the built CLI and the Vault emulator", () => {
  const tokens: string[] = [];
  const t = providerE2e<HashicorpEmulator>({
    provider: "hashicorp",
    start: async () => {
      const emu = await startHashicorpEmulator();
      emu.writeKv("secret", "e2e/app", { api_key: OLD_API_KEY });
      emu.writeKv("secret", "e2e/app", {
        api_key: API_KEY,
        db: { username: "app", password: DB_PASSWORD },
      });
      emu.createPolicy("e2e-read", {
        paths: { "secret/data/e2e/*": ["read"], "sys/mounts": ["read"] },
      });
      // What makes the connecting person a team admin: Vault lets them update the team setup.
      emu.createPolicy("e2e-team-admin", {
        paths: { "secret/data/vaultlink/team": ["create", "read", "update", "delete"] },
      });
      emu.addUser({ username: MEMBER, password: MEMBER_PASSWORD, policies: ["e2e-read"] });
      tokens.push(emu.rootToken);
      return emu;
    },
    secrets: () => [API_KEY, DB_PASSWORD, OLD_API_KEY, MEMBER_PASSWORD, ...tokens],
  });
  const newToken = () => {
    const token = t.emu.createToken({ policies: ["e2e-read", "e2e-team-admin"] });
    tokens.push(token);
    return { token };
  };

  t.connects(
    "the admin connects with a token (on stdin, never argv) to the emulator",
    () => {
      return ["--method", "token", "--address", t.emu.url];
    },
    newToken,
    { scope: "team" },
  );

  t.linksAndReads("links a key of a KV v2 secret, and one with --json-key", () => [
    ["api-key", "secret/e2e/app#api_key", API_KEY],
    ["db-password", "secret/e2e/app#db", DB_PASSWORD, "password"],
  ]);

  t.linkChecks("secret link checks the path, key and version against Vault", () => ({
    missing: "secret/e2e/no-such-path#api_key",
    existing: "secret/e2e/app#db",
    badVersions: ["abc", "-3", "0"],
    missingVersion: "9",
    goodVersion: "2",
  }));

  t.expiredRead("revoked tokens: read fails with exit 4, naming the reauth command", () =>
    t.emu.expireCredentials(),
  );

  t.reauthReads("reauth with a fresh token makes read work again", newToken);

  t.connectedStatus({ scope: "team" });

  it("links an older KV v2 version with --version and reads that version's value", async () => {
    await t.check.links("hashicorp", [["old-api-key", "secret/e2e/app#api_key"]]);
    const relinked = await t.run([
      "secret",
      "link",
      "old-api-key",
      "hashicorp",
      "secret/e2e/app#api_key",
      "--version",
      "1",
      "--json",
    ]);
    expect(relinked.code, t.d(relinked)).toBe(EXIT.ok);
    expect(JSON.parse(relinked.stdout).link).toMatchObject({ version: "1" });
    await t.check.reads([["old-api-key", OLD_API_KEY]]);
  });

  it("the admin's disconnect succeeds, removes the team setup and prints the references left unresolved", async () => {
    const r = await t.run(["integration", "disconnect", "hashicorp"]);
    expect(r.code, t.d(r)).toBe(EXIT.ok);
    expect(r.stderr, t.d(r)).toContain("Disconnected hashicorp and removed the team setup");
    const listed = r.stdout
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "" && !l.endsWith(":"));
    expect(listed.sort()).toEqual(["api-key", "db-password", "old-api-key"]);
    const status = await integrationStatus(t.v, "hashicorp");
    expect(status.info?.status, t.d(status.result)).toBe("disconnected");
    const after = await t.run(["read", "api-key"]);
    expect(after.code, t.d(after)).not.toBe(EXIT.ok);
    expect(after.stdout).toBe("");
  });

  t.noLeaks("no secret value or token in any stderr (or in non-read stdout), and no stack trace");
});
