import { type RunningAzureEmulator, startAzureEmulator } from "@vaultlink/emulators";
import { describe, expect, it } from "vitest";
import { EXIT, integrationStatus, providerE2e } from "./helpers.js";

const API_KEY = "azure-e2e-api-key-5c81e0f4a";
const DB_PASSWORD = "azure-e2e-db-password-2d7b96c";
const CLIENT_ID = "3c0a7f52-1e4b-4d21-9a57-e2e0000a2e01";
const FIRST_SECRET = "azure-e2e-client-secret-first-0b1c";
const ROTATED_SECRET = "azure-e2e-client-secret-rotated-9f8e";
const SECRETS = [API_KEY, DB_PASSWORD, FIRST_SECRET, ROTATED_SECRET];

describe("Azure Key Vault through the built CLI and the Azure emulator (client secret)", () => {
  const t = providerE2e<RunningAzureEmulator>({
    provider: "azure",
    start: () =>
      startAzureEmulator({
        servicePrincipals: [{ clientId: CLIENT_ID, clientSecret: FIRST_SECRET }],
        secrets: [
          { name: "api-key", value: API_KEY },
          { name: "db", value: JSON.stringify({ username: "app", password: DB_PASSWORD }) },
        ],
      }),
    secrets: () => SECRETS,
  });
  const ref = (name: string) => `${t.emu.vaultUrl.replace(/\/$/, "")}/secrets/${name}`;
  const readsApiKey = async (why: string) => {
    const a = await t.run(["read", "api-key"]);
    expect(a.code, t.d(a)).toBe(EXIT.ok);
    expect(a.stdout === `${API_KEY}\n`, why).toBe(true);
  };

  t.connects(
    "connects with client-secret against the emulator's authority (secret on stdin, CA via --caFile)",
    () => [
      "--method",
      "client-secret",
      "--tenantId",
      t.emu.tenantId,
      "--clientId",
      CLIENT_ID,
      "--authorityHost",
      t.emu.authorityHost,
      "--caFile",
      t.emu.caFile,
      "--allowCustomVaultHosts",
      "true",
    ],
    () => ({ clientSecret: FIRST_SECRET }),
  );

  t.linksAndReads("links a secret identifier, and one with --json-key", () => [
    ["api-key", ref("api-key"), API_KEY],
    ["db-password", ref("db"), DB_PASSWORD, "password"],
  ]);

  t.linkChecks("secret link checks the identifier, JSON key and version against Key Vault", () => ({
    missing: ref("no-such-secret"),
    existing: ref("db"),
    badVersions: ["abc", "0123456789abcdef", "zz23456789abcdef0123456789abcdef"],
  }));

  it("revoked tokens alone: the stored client secret gets a new token, read still works", async () => {
    t.emu.expireCredentials();
    expect((await t.run(["cache", "reset"])).code).toBe(EXIT.ok);
    const before = t.emu.requests.count("token.aad");
    await readsApiKey("api-key after token revocation");
    expect(t.emu.requests.count("token.aad")).toBeGreaterThan(before);
  });

  t.expiredRead(
    "rotated client secret (and revoked tokens): read fails with exit 4, naming the reauth command",
    () => {
      t.emu.addServicePrincipal({ clientId: CLIENT_ID, clientSecret: ROTATED_SECRET });
      t.emu.expireCredentials();
    },
  );

  it("reauth with the new client secret signs in again", async () => {
    const r = await t.run(["integration", "reauth", "azure", "--secrets-stdin"], {
      input: JSON.stringify({ clientSecret: ROTATED_SECRET }),
    });
    expect(r.code, t.d(r)).toBe(EXIT.ok);
    const { info } = await integrationStatus(t.v, "azure");
    expect(info?.status).toBe("connected");
  });

  it("reauth keeps the stored settings: read works again without repeating them", async () => {
    const { info } = await integrationStatus(t.v, "azure");
    const settings = (info?.settings ?? {}) as Record<string, unknown>;
    await readsApiKey("api-key after reauth");
    expect(settings.allowCustomVaultHosts).toBe(true);
  });

  t.reauthReads(
    "reauth (repeating --allowCustomVaultHosts) makes read work again",
    () => ({ clientSecret: ROTATED_SECRET }),
    ["--allowCustomVaultHosts", "true"],
  );

  t.connectedStatus({ authMethod: "client-secret" });

  t.noLeaks(
    "no secret value or client secret in any stderr (or in non-read stdout), and no stack trace",
  );
});
