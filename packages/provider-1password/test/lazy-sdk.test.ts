import { join } from "node:path";
import { expectLazySdk } from "@vaultlink/testkit";
import { it } from "vitest";

// The built plugin, as a host loads it (run `tsc -p tsconfig.json` first).
const entry = join(import.meta.dirname, "..", "dist", "index.js");

it("loading the plugin, parsing and creating an instance load neither 1Password SDK", async () => {
  await expectLazySdk({
    entry,
    sdkModules: ["@1password/sdk", "@1password/connect"],
    exercise: async ({ provider, context }) => {
      provider.parseReference("op://Production/Database/password");
      const instance = await provider.create(
        context({
          integration: { id: "i", authMethod: "service-account", settings: {} },
          session: { credentials: { token: "unused" } },
        }),
      );
      await instance.dispose();
    },
  });
});
