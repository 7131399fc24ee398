import { join } from "node:path";
import { expectLazySdk, sdkModulesLoadedBy } from "@vaultlink/testkit";
import { expect, it } from "vitest";

// The built plugin, as a host loads it (run `tsc -p tsconfig.json` first).
const entry = join(import.meta.dirname, "..", "dist", "index.js");
const sdkModules = ["node-vault", "oauth4webapi"];

it("loading the plugin, parsing references and creating an instance load no SDK", async () => {
  await expectLazySdk({
    entry,
    sdkModules,
    exercise: async ({ provider, context }) => {
      provider.parseReference("secret/app/db#password");
      const instance = await provider.create(
        context({
          integration: {
            id: "h",
            authMethod: "token",
            settings: { address: "http://127.0.0.1:1" },
          },
        }),
      );
      await instance.fetch([]);
      await instance.dispose();
    },
  });
});

it("a token sign-in loads node-vault, and not the OIDC client", async () => {
  const { loaded } = await sdkModulesLoadedBy({
    entry,
    sdkModules,
    exercise: async ({ provider, context }) => {
      const settings = { address: "http://127.0.0.1:1" };
      const instance = await provider.create(
        context({ integration: { id: "h", authMethod: "token", settings } }),
      );
      await instance
        .authenticate({ method: "token", settings, secrets: { token: "hvs.lazy-check" } })
        .catch(() => undefined);
      await instance.dispose();
    },
  });
  expect(loaded).toEqual(["node-vault"]);
});
