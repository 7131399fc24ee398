import { join } from "node:path";
import { expectLazySdk } from "@vaultlink/testkit";
import { it } from "vitest";

// The built plugin, as a host loads it (run `tsc -p tsconfig.json` first).
const entry = join(import.meta.dirname, "..", "dist", "index.js");

it("loading the plugin, parsing references and creating an instance load no Azure SDK", async () => {
  await expectLazySdk({
    entry,
    sdkModules: ["@azure/keyvault-secrets", "@azure/identity", "@azure/"],
    exercise: async ({ provider, context }) => {
      provider.parseReference("https://kv-lazy.vault.azure.net/secrets/db-password");
      const instance = await provider.create(
        context({
          integration: { id: "a", authMethod: "client-secret", settings: {} },
          session: { credentials: { tenantId: "t", clientId: "c", clientSecret: "unused" } },
        }),
      );
      await instance.fetch([]);
      await instance.dispose();
    },
  });
});
