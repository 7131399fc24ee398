import { type HashicorpEmulator, startHashicorpEmulator } from "@vaultlink/emulators";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createVault,
  describeRun,
  type E2eVault,
  EXIT,
  e2eChecks,
  hasStackTrace,
  integrationStatus,
  leaksAny,
  type RunResult,
} from "./helpers.js";

const API_KEY = "vault-e2e-api-key-c4d2a9e17";
const DB_PASSWORD = "vault-e2e-db-password-6a0f3b8";
const MEMBER_PASSWORD = "vault-e2e-member-password-e51d";
const ADMIN = "e2e-admin";
const MEMBER = "e2e-member";

describe("HashiCorp Vault (team integration) through the built CLI and the Vault emulator", () => {
  let emu: HashicorpEmulator;
  let v: E2eVault;
  const tokens: string[] = [];
  const secrets = () => [API_KEY, DB_PASSWORD, MEMBER_PASSWORD, ...tokens];
  const d = (r: RunResult) => describeRun(r, secrets());
  let check: ReturnType<typeof e2eChecks>;
  const as = (user: string) => ({ env: { VAULTLINK_USER: user } });

  beforeAll(async () => {
    emu = await startHashicorpEmulator();
    emu.writeKv("secret", "e2e/app", {
      api_key: API_KEY,
      db: { username: "app", password: DB_PASSWORD },
    });
    emu.createPolicy("e2e-read", {
      paths: { "secret/data/e2e/*": ["read"], "sys/mounts": ["read"] },
    });
    emu.addUser({ username: MEMBER, password: MEMBER_PASSWORD, policies: ["e2e-read"] });
    tokens.push(emu.rootToken);
    v = await createVault();
    check = e2eChecks(v, secrets, as(ADMIN));
  }, 120_000);

  afterAll(async () => {
    v?.cleanup();
    await emu?.stop();
  });

  it("vault create gave a vault key", () => {
    expect(v.key).toMatch(/^vlk_/);
  });

  it("the admin connects with a token (on stdin, never argv) to the emulator", async () => {
    v.writeTeam({ [ADMIN]: "admin", [MEMBER]: "member" });
    const token = emu.createToken({ policies: ["e2e-read"] });
    tokens.push(token);
    const r = await v.run(
      [
        "integration",
        "connect",
        "hashicorp",
        "--method",
        "token",
        "--address",
        emu.url,
        "--secrets-stdin",
        "--json",
      ],
      { input: JSON.stringify({ token }), ...as(ADMIN) },
    );
    expect(r.code, d(r)).toBe(EXIT.ok);
    const info = JSON.parse(r.stdout) as { id: string; status: string; scope: string };
    expect(info).toMatchObject({ id: "hashicorp", status: "connected", scope: "team" });
  });

  it("links a key of a KV v2 secret, and one with --json-key", async () => {
    await check.links("hashicorp", [
      ["api-key", "secret/e2e/app#api_key"],
      ["db-password", "secret/e2e/app#db", "password"],
    ]);
  });

  it("read prints the values from the provider", async () => {
    await check.reads([
      ["api-key", API_KEY],
      ["db-password", DB_PASSWORD],
    ]);
  });

  it("a second read is a cache hit: no request reaches the emulator", async () => {
    await check.cacheHit(["api-key", "db-password"], () => emu.requests.count());
  });

  it("revoked tokens: read fails with exit 4, naming the reauth command", async () => {
    emu.expireCredentials();
    await check.expiredRead("api-key", "hashicorp", () => emu.requests.count());
  });

  it("reauth with a fresh token makes read work again", async () => {
    const token = emu.createToken({ policies: ["e2e-read"] });
    tokens.push(token);
    const r = await v.run(["integration", "reauth", "hashicorp", "--secrets-stdin"], {
      input: JSON.stringify({ token }),
      ...as(ADMIN),
    });
    expect(r.code, d(r)).toBe(EXIT.ok);
    await check.reads([
      ["api-key", API_KEY],
      ["db-password", DB_PASSWORD],
    ]);
  });

  it("integration status --json shows connected", async () => {
    const { result, info } = await integrationStatus(v, "hashicorp");
    expect(result.code, d(result)).toBe(EXIT.ok);
    expect(info).toMatchObject({
      id: "hashicorp",
      provider: "hashicorp",
      scope: "team",
      status: "connected",
    });
  });

  // Documented (docs/providers/hashicorp.md): a member signs in personally with `reauth`.
  it("a member may reauth (userpass login) and then read", async () => {
    emu.expireCredentials();
    expect((await v.run(["cache", "reset"], as(MEMBER))).code).toBe(EXIT.ok);
    const r = await v.run(
      [
        "integration",
        "reauth",
        "hashicorp",
        "--method",
        "userpass",
        "--username",
        MEMBER,
        "--secrets-stdin",
      ],
      { input: JSON.stringify({ password: MEMBER_PASSWORD }), ...as(MEMBER) },
    );
    expect(r.code, d(r)).toBe(EXIT.ok);
    const a = await v.run(["read", "api-key"], as(MEMBER));
    expect(a.code, d(a)).toBe(EXIT.ok);
    expect(a.stdout === `${API_KEY}\n`, "api-key after the member's sign-in").toBe(true);
  });

  it("a member's disconnect is refused clearly and leaves the vault byte-for-byte unchanged", async () => {
    const before = v.vaultHash();
    expect(before).not.toBe("absent");
    const r = await v.run(["integration", "disconnect", "hashicorp"], as(MEMBER));
    expect(r.code, d(r)).not.toBe(EXIT.ok);
    expect(r.code, d(r)).not.toBe(null);
    expect(r.stdout).toBe("");
    expect(r.stderr, d(r)).toMatch(/^error: .*(admin|not allowed|denied|cannot|may not)/im);
    expect(v.vaultHash()).toBe(before);
    const { info } = await integrationStatus(v, "hashicorp");
    expect(info?.status).not.toBe("disconnected");
  });

  it("the admin's disconnect succeeds and prints the references left unresolved", async () => {
    const r = await v.run(["integration", "disconnect", "hashicorp"], as(ADMIN));
    expect(r.code, d(r)).toBe(EXIT.ok);
    expect(r.stderr, d(r)).toContain("Disconnected hashicorp");
    const listed = r.stdout
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "" && !l.endsWith(":"));
    expect(listed.sort()).toEqual(["api-key", "db-password"]);
    const status = await integrationStatus(v, "hashicorp");
    expect(status.info?.status, d(status.result)).toBe("disconnected");
    const after = await v.run(["read", "api-key"], as(ADMIN));
    expect(after.code, d(after)).not.toBe(EXIT.ok);
    expect(after.stdout).toBe("");
  });

  it("no secret value or token in any stderr (or in non-read stdout), and no stack trace", () => {
    check.noLeaks();
  });
});
