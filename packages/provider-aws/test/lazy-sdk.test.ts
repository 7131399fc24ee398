import { join } from "node:path";
import { expectLazySdk, sdkModulesLoadedBy } from "@vaultlink/testkit";
import { describe, expect, it } from "vitest";

// The built plugin, as a host loads it (run `tsc -p tsconfig.json` first).
const entry = join(import.meta.dirname, "..", "dist", "index.js");
const env = { ...process.env, AWS_EC2_METADATA_DISABLED: "true" };
// The clients by name (the probe proves it sees each), then any other @aws-sdk package.
const sdkModules = [
  "@aws-sdk/client-secrets-manager",
  "@aws-sdk/client-sts",
  "@aws-sdk/client-iam",
  "@aws-sdk/credential-providers",
  "@aws-sdk/",
];

describe("the AWS SDK is imported lazily", () => {
  it("loading the plugin, parsing references and creating an instance import no SDK", async () => {
    await expectLazySdk({
      entry,
      sdkModules,
      env,
      exercise: async ({ provider, context }) => {
        provider.parseReference("prod/db");
        const instance = await provider.create(
          context({ integration: { id: "i", authMethod: "access-key", settings: {} } }),
        );
        await instance.dispose();
      },
    });
  });

  it("a fetch imports the Secrets Manager client, and not STS", async () => {
    const { loaded } = await sdkModulesLoadedBy({
      entry,
      sdkModules,
      env,
      exercise: async ({ provider, context }) => {
        const instance = await provider.create(
          context({
            integration: {
              id: "i",
              authMethod: "access-key",
              settings: { region: "us-east-1", endpoint: "http://127.0.0.1:9" },
            },
            session: {
              credentials: { accessKeyId: "AKIDLAZYTEST", secretAccessKey: "not-a-real-secret" },
            },
            pluginOptions: { maxAttempts: 1 },
          }),
        );
        await instance.fetch([{ id: "a", reference: provider.parseReference("prod/db") }]);
        await instance.dispose();
      },
    });
    expect(loaded).toContain("@aws-sdk/client-secrets-manager");
    expect(loaded).not.toContain("@aws-sdk/client-sts");
  });

  it("an access-key sign-in imports IAM (the MFA check comes first), not Secrets Manager", async () => {
    const { loaded } = await sdkModulesLoadedBy({
      entry,
      sdkModules,
      env,
      exercise: async ({ provider, context }) => {
        const settings = { region: "us-east-1", endpoint: "http://127.0.0.1:9" };
        const instance = await provider.create(
          context({
            integration: { id: "i", authMethod: "access-key", settings },
            pluginOptions: { maxAttempts: 1 },
          }),
        );
        await instance
          .authenticate({
            method: "access-key",
            settings,
            secrets: { accessKeyId: "AKIDLAZYTEST", secretAccessKey: "not-a-real-secret" },
          })
          .catch(() => undefined);
        await instance.dispose();
      },
    });
    expect(loaded).toContain("@aws-sdk/client-iam");
    expect(loaded).not.toContain("@aws-sdk/client-secrets-manager");
  });
});
