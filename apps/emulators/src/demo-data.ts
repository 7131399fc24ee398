import type { AwsSeedSecret } from "./aws/seed.js";
import type { AzureSecretSeed } from "./azure/store.js";
import type { SecretData } from "./hashicorp/kv-v1.js";
import type { OnePasswordConnectOptions } from "./onepassword/emulator.js";

/** The secret values in the demo data, by name; the caller picks them. */
export const DEMO_VALUE_NAMES = [
  "awsDbPassword",
  "awsApiKey",
  "azureDbPassword",
  "azureApiKey",
  "vaultDbPassword",
  "vaultApiKey",
  "opDbPassword",
] as const;

export type DemoValues = Record<(typeof DEMO_VALUE_NAMES)[number], string>;

/** The secrets `pnpm emulators` and the demo walk-through put in each emulator. */
export interface DemoData {
  /** For `aws.seed(…)` once the emulator runs. */
  aws: AwsSeedSecret[];
  /** Start options of `startAzureEmulator` (so `reset()` restores them). */
  azure: { vaultName: string; secrets: AzureSecretSeed[] };
  /** For `vault.writeKv(mount, path, data)` once the emulator runs. */
  hashicorp: { mount: string; path: string; data: SecretData }[];
  /** Start options of `startOnePasswordConnectEmulator` (so `reset()` restores them). */
  onepassword: Required<Pick<OnePasswordConnectOptions, "vaults">>;
}

/**
 * The demo data with the given values: a database login and an API key in AWS (`demo/db` as
 * JSON, `demo/api-key`), Azure (`db-password`, `api-key` in vault `vaultlink-demo`) and
 * HashiCorp Vault (`secret/demo/db`, `secret/demo/api`), and a Database item in the 1Password
 * vault `Demo`.
 */
export function demoData(values: DemoValues): DemoData {
  return {
    aws: [
      { name: "demo/db", json: { username: "app", password: values.awsDbPassword } },
      { name: "demo/api-key", value: values.awsApiKey },
    ],
    azure: {
      vaultName: "vaultlink-demo",
      secrets: [
        { name: "db-password", value: values.azureDbPassword, contentType: "text/plain" },
        { name: "api-key", value: values.azureApiKey },
      ],
    },
    hashicorp: [
      {
        mount: "secret",
        path: "demo/db",
        data: { username: "app", password: values.vaultDbPassword },
      },
      { mount: "secret", path: "demo/api", data: { key: values.vaultApiKey } },
    ],
    onepassword: {
      vaults: [
        {
          name: "Demo",
          items: [
            {
              title: "Database",
              category: "DATABASE",
              fields: [
                { label: "username", value: "app", purpose: "USERNAME" },
                {
                  label: "password",
                  value: values.opDbPassword,
                  type: "CONCEALED",
                  purpose: "PASSWORD",
                },
              ],
            },
          ],
        },
      ],
    },
  };
}
