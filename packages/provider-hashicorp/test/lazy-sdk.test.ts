import { createRequire } from "node:module";
import { createTestContext } from "@vaultlink/testkit";
import { expect, it } from "vitest";

const loaded = () =>
  Object.keys(
    (createRequire(import.meta.url) as unknown as { cache: Record<string, unknown> }).cache,
  ).some((p) => p.includes(`${"node_modules"}/node-vault/`));

it("loading the plugin, parsing references and creating an instance load no SDK", async () => {
  const { default: provider } = await import("../src/index.js");
  provider.parseReference("secret/app/db#password");
  const instance = await provider.create(
    createTestContext({
      integration: { id: "h", authMethod: "token", settings: { address: "http://127.0.0.1:1" } },
    }),
  );
  expect(await instance.fetch([])).toEqual([]);
  expect(loaded()).toBe(false);
  // The first real call loads it (proving the check above can see it).
  await instance
    .authenticate({ method: "token", settings: {}, secrets: { token: "hvs.lazy-check" } })
    .catch(() => {});
  expect(loaded()).toBe(true);
  await instance.dispose();
});
