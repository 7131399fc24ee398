import { startAzureEmulator } from "@vaultlink/emulators";
import { createTcpGate, describeProviderConformance } from "@vaultlink/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import azure from "../src/index.js";
import { CLIENT_ID, CLIENT_SECRET, emulatorSettings, servicePrincipal } from "./support/azure.js";

// Started while the file is collected: the fixtures need the vault's URL and version ids.
// The harness's stop() shuts both down after the last check.
const emu = await startAzureEmulator({
  vaultName: "kv-conformance",
  servicePrincipals: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }],
  secrets: [
    { name: "db-password", value: "conformance-db-password-1" },
    { name: "api-key", value: "conformance-api-key-2" },
    {
      name: "app-config",
      value: JSON.stringify({ user: "svc", password: "conformance-json-pw-3" }),
    },
  ],
});
// The vault is reached through a proxy so makeUnreachable() can cut it off and clear() bring it back.
const proxy = await createTcpGate(emu.port);
const vault = `https://127.0.0.1:${proxy.port}`;
const v1 = emu.seedSecret("rotating", "conformance-rotating-v1");
const v2 = emu.seedSecret("rotating", "conformance-rotating-v2");

describeProviderConformance(
  { describe, it, expect, beforeAll, afterAll },
  async () => ({
    provider: azure,
    authenticate: servicePrincipal(emu),
    settings: emulatorSettings(emu),
    faults: {
      // The service principal's secret is rotated and every issued token revoked: a fresh
      // token cannot be had with the stored secret, which is what AUTH_EXPIRED means.
      async expireCredentials() {
        emu.addServicePrincipal({ clientId: CLIENT_ID, clientSecret: "rotated-elsewhere" });
        emu.expireCredentials();
      },
      async denyPermission() {
        emu.denyAccess();
      },
      async throttle() {
        emu.inject({ operation: "secrets.get", error: "throttled" });
      },
      async makeUnreachable() {
        await proxy.close();
      },
      async clear() {
        emu.clearFaults();
        emu.allowAccess();
        emu.addServicePrincipal({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
        await proxy.open();
      },
    },
    async stop() {
      await proxy.stop();
      await emu.stop();
    },
  }),
  {
    validReferences: [
      "https://my-vault.vault.azure.net/secrets/db-password",
      "https://MY-VAULT.Vault.Azure.Net/secrets/db-password/",
      "https://abc.vault.azure.net/secrets/A-1/0123456789ABCDEF0123456789ABCDEF",
      "https://contoso-kv.vault.azure.cn/secrets/x",
      "https://contoso-kv.vault.usgovcloudapi.net/secrets/x",
      `${vault}/secrets/db-password`,
    ],
    invalidReferences: [
      "",
      "db-password",
      "http://my-vault.vault.azure.net/secrets/db-password",
      "https://ab.vault.azure.net/secrets/x",
      "https://my--vault.vault.azure.net/secrets/x",
      "https://1vault.vault.azure.net/secrets/x",
      "https://a-vault-name-that-is-too-long.vault.azure.net/secrets/x",
      "https://my-vault.vault.azure.net/secrets/under_score",
      `https://my-vault.vault.azure.net/secrets/${"n".repeat(128)}`,
      "https://my-vault.vault.azure.net/secrets/x/not-a-version",
      "https://my-vault.vault.azure.net/keys/x",
      "https://my-vault.vault.azure.net/secrets/x/0123456789abcdef0123456789abcdef/extra",
      "https://my-vault.vault.azure.net/secrets/x?api-version=7.4",
      "https://my-vault.vault.azure.net:8443/secrets/x",
      "https://my-vault.example.com/secrets/x",
    ],
    secrets: [
      { reference: `${vault}/secrets/db-password`, value: "conformance-db-password-1" },
      { reference: `${vault}/secrets/api-key`, value: "conformance-api-key-2" },
      { reference: `${vault}/secrets/rotating/${v1}`, value: "conformance-rotating-v1" },
    ],
    missingReference: `${vault}/secrets/does-not-exist`,
    json: {
      reference: `${vault}/secrets/app-config`,
      key: "password",
      expected: "conformance-json-pw-3",
    },
    versions: [
      { reference: `${vault}/secrets/rotating`, version: v1, value: "conformance-rotating-v1" },
      { reference: `${vault}/secrets/rotating`, version: v2, value: "conformance-rotating-v2" },
    ],
  },
  {
    name: "azure provider conformance (real SDK, client-secret sign-in, emulated Key Vault)",
    timeout: 30_000,
  },
);
