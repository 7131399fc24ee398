import { type RunningAzureEmulator, startAzureEmulator } from "@vaultlink/emulators";
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

const API_KEY = "azure-e2e-api-key-5c81e0f4a";
const DB_PASSWORD = "azure-e2e-db-password-2d7b96c";
const CLIENT_ID = "3c0a7f52-1e4b-4d21-9a57-e2e0000a2e01";
const FIRST_SECRET = "azure-e2e-client-secret-first-0b1c";
const ROTATED_SECRET = "azure-e2e-client-secret-rotated-9f8e";
const SECRETS = [API_KEY, DB_PASSWORD, FIRST_SECRET, ROTATED_SECRET];

describe("Azure Key Vault through the built CLI and the Azure emulator (client secret)", () => {
  let emu: RunningAzureEmulator;
  let v: E2eVault;
  const d = (r: RunResult) => describeRun(r, SECRETS);
  let check: ReturnType<typeof e2eChecks>;
  const ref = (name: string) => `${emu.vaultUrl.replace(/\/$/, "")}/secrets/${name}`;

  beforeAll(async () => {
    emu = await startAzureEmulator({
      servicePrincipals: [{ clientId: CLIENT_ID, clientSecret: FIRST_SECRET }],
      secrets: [
        { name: "api-key", value: API_KEY },
        { name: "db", value: JSON.stringify({ username: "app", password: DB_PASSWORD }) },
      ],
    });
    v = await createVault();
    check = e2eChecks(v, () => SECRETS);
  }, 120_000);

  afterAll(async () => {
    v?.cleanup();
    await emu?.stop();
  });

  it("vault create gave a vault key", () => {
    expect(v.key).toMatch(/^vlk_/);
  });

  it("connects with client-secret against the emulator's authority (secret on stdin, CA via --caFile)", async () => {
    const r = await v.run(
      [
        "integration",
        "connect",
        "azure",
        "--method",
        "client-secret",
        "--tenantId",
        emu.tenantId,
        "--clientId",
        CLIENT_ID,
        "--authorityHost",
        emu.authorityHost,
        "--caFile",
        emu.caFile,
        "--allowCustomVaultHosts",
        "true",
        "--secrets-stdin",
        "--json",
      ],
      { input: JSON.stringify({ clientSecret: FIRST_SECRET }) },
    );
    expect(r.code, d(r)).toBe(EXIT.ok);
    const info = JSON.parse(r.stdout) as { id: string; status: string };
    expect(info.id).toBe("azure");
    expect(info.status).toBe("connected");
  });

  it("links a secret identifier, and one with --json-key", async () => {
    await check.links("azure", [
      ["api-key", ref("api-key")],
      ["db-password", ref("db"), "password"],
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

  it("revoked tokens alone: the stored client secret gets a new token, read still works", async () => {
    emu.expireCredentials();
    expect((await v.run(["cache", "reset"])).code).toBe(EXIT.ok);
    const before = emu.requests.count("token.aad");
    const a = await v.run(["read", "api-key"]);
    expect(a.code, d(a)).toBe(EXIT.ok);
    expect(a.stdout === `${API_KEY}\n`, "api-key after token revocation").toBe(true);
    expect(emu.requests.count("token.aad")).toBeGreaterThan(before);
  });

  it("rotated client secret (and revoked tokens): read fails with exit 4, naming the reauth command", async () => {
    emu.addServicePrincipal({ clientId: CLIENT_ID, clientSecret: ROTATED_SECRET });
    emu.expireCredentials();
    await check.expiredRead("api-key", "azure", () => emu.requests.count());
  });

  it("reauth with the new client secret signs in again", async () => {
    const r = await v.run(["integration", "reauth", "azure", "--secrets-stdin"], {
      input: JSON.stringify({ clientSecret: ROTATED_SECRET }),
    });
    expect(r.code, d(r)).toBe(EXIT.ok);
    const { info } = await integrationStatus(v, "azure");
    expect(info?.status).toBe("connected");
  });

  it("reauth keeps the stored settings: read works again without repeating them", async () => {
    const { info } = await integrationStatus(v, "azure");
    const settings = (info?.settings ?? {}) as Record<string, unknown>;
    const a = await v.run(["read", "api-key"]);
    expect(a.code, d(a)).toBe(EXIT.ok);
    expect(a.stdout === `${API_KEY}\n`, "api-key after reauth").toBe(true);
    expect(settings.allowCustomVaultHosts).toBe(true);
  });

  it("reauth (repeating --allowCustomVaultHosts) makes read work again", async () => {
    const r = await v.run(
      ["integration", "reauth", "azure", "--allowCustomVaultHosts", "true", "--secrets-stdin"],
      { input: JSON.stringify({ clientSecret: ROTATED_SECRET }) },
    );
    expect(r.code, d(r)).toBe(EXIT.ok);
    await check.reads([
      ["api-key", API_KEY],
      ["db-password", DB_PASSWORD],
    ]);
  });

  it("integration status --json shows connected", async () => {
    const { result, info } = await integrationStatus(v, "azure");
    expect(result.code, d(result)).toBe(EXIT.ok);
    expect(info).toMatchObject({
      id: "azure",
      provider: "azure",
      status: "connected",
      authMethod: "client-secret",
    });
  });

  it("no secret value or client secret in any stderr (or in non-read stdout), and no stack trace", () => {
    check.noLeaks();
  });
});
