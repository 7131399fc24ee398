import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

const dist = fileURLToPath(new URL("../dist/index.js", import.meta.url));

// A fresh Node process loads the built plugin, parses a reference and creates and disposes an
// instance (what a host does on a cache hit), then lists the 1Password modules it loaded.
// The same probe then loads the SDKs itself, to show it would have seen them.
const PROBE = `
import { createRequire } from "node:module";
const require = createRequire(process.argv[1]);
const loaded = () => Object.keys(require.cache).filter((p) => p.includes("@1password")).length;
const plugin = (await import(process.argv[2])).default;
plugin.parseReference("op://Production/Database/password");
const ctx = {
  integration: { id: "i", authMethod: "service-account", settings: {} },
  session: { credentials: { token: "unused" } },
  pluginOptions: {},
  logger: { debug() {}, info() {}, warn() {}, error() {} },
  clock: { now: () => Date.now() },
  saveSession: async () => {},
};
await (await plugin.create(ctx)).dispose();
const before = loaded();
await import(require.resolve("@1password/sdk"));
await import(require.resolve("@1password/connect"));
console.log(JSON.stringify({ before, after: loaded() }));
`;

describe("lazy SDK loading", () => {
  it("loading the plugin, parsing and creating an instance load neither 1Password SDK", () => {
    expect(existsSync(dist), "build the package first (tsc -p tsconfig.json)").toBe(true);
    const out = execFileSync(
      process.execPath,
      ["--input-type=module", "-e", PROBE, dist, pathToFileURL(dist).href],
      { encoding: "utf8" },
    );
    const { before, after } = JSON.parse(out.trim().split("\n").at(-1) ?? "{}");
    expect(before).toBe(0);
    expect(after).toBeGreaterThan(0);
  });
});
