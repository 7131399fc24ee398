/**
 * Core's plugin host, as the CLI and vaultlink-newman use it: the config file's rules and the
 * registry anchored in a host (first-party providers looked up from the host's package; a
 * plugin given by path imports `@vaultlink/core/plugin` and gets the host's core).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { parsePluginConfig, pluginConfigFile, readPluginConfig } from "../../src/index.js";

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "vaultlink-plugin-host-"));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("plugin config file", () => {
  it("is config.json in the vault directory, or VAULTLINK_CONFIG; missing means defaults", () => {
    const dir = tempDir();
    const saved = process.env.VAULTLINK_CONFIG;
    delete process.env.VAULTLINK_CONFIG;
    try {
      expect(pluginConfigFile(dir)).toBe(join(dir, "config.json"));
      process.env.VAULTLINK_CONFIG = join(dir, "other.json");
      expect(pluginConfigFile(dir)).toBe(join(dir, "other.json"));
    } finally {
      if (saved === undefined) delete process.env.VAULTLINK_CONFIG;
      else process.env.VAULTLINK_CONFIG = saved;
    }
    expect(readPluginConfig(join(dir, "config.json"))).toMatchObject({
      exists: false,
      plugins: [],
      discover: false,
      pluginsDir: join(dir, "plugins"),
    });
  });

  it("refuses a bad file with CONFIG_INVALID naming the file and the fix", () => {
    const file = "/x/config.json";
    const cases: Array<[string, RegExp, RegExp]> = [
      ["{ plugins: ", /it is not valid JSON/, /expected \{ "plugins"/],
      ['{"plugin": []}', /"plugin" is not a config key/, /Rename "plugin" to "plugins"/],
      ['{"plugins": [42]}', /plugin entry 42 must be/, /expected/],
      ['{"discover": "yes"}', /"discover" must be true or false/, /expected/],
    ];
    for (const [text, message, hint] of cases) {
      try {
        parsePluginConfig(file, text);
        expect.unreachable(text);
      } catch (error) {
        const e = error as { code: string; message: string; hint: string };
        expect(e.code, text).toBe("CONFIG_INVALID");
        expect(e.message, text).toMatch(message);
        expect(e.message).toContain(file);
        expect(e.hint, text).toMatch(hint);
      }
    }
  });
});

describe("PluginRegistry anchored in a host", () => {
  it("loads a plugin given by path in config.json, giving it the host's core", async () => {
    const dir = tempDir();
    const plugin = join(dir, "probe-provider.mjs");
    writeFileSync(
      plugin,
      [
        'import { defineProvider } from "@vaultlink/core/plugin";',
        "export default defineProvider({",
        '  apiVersion: 1, id: "probe", title: "Probe",',
        '  meta: { name: "probe-provider", version: "1.0.0" },',
        '  authMethods: [{ id: "none", title: "None", options: [] }], settings: [],',
        "  capabilities: { batch: false, versions: false },",
        "  parseReference: (input) => ({ canonical: String(input) }),",
        "  create: () => ({ async authenticate() { return { credentials: {} }; }, async fetch() { return []; }, dispose() {} }),",
        "});",
      ].join("\n"),
    );
    writeFileSync(join(dir, "config.json"), JSON.stringify({ plugins: [plugin] }));
    // Run as a host does (in its own Node process, on the built core), anchored in core's
    // package: plugins get this core; first-party providers are whatever core can resolve.
    const core = join(import.meta.dirname, "..", "..", "dist", "index.js");
    const script = [
      `const { PluginRegistry, readPluginConfig } = await import(${JSON.stringify(pathToFileURL(core).href)});`,
      `const registry = new PluginRegistry(readPluginConfig(${JSON.stringify(join(dir, "config.json"))}), { anchor: ${JSON.stringify(pathToFileURL(core).href)} });`,
      "const loaded = await registry.load();",
      "console.log(JSON.stringify({ loaded: loaded.map((p) => [p.id, p.origin, p.spec]), problems: registry.problems }));",
    ].join("\n");
    const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      encoding: "utf8",
    });
    expect(child.status, child.stderr).toBe(0);
    const out = JSON.parse(child.stdout) as {
      loaded: Array<[string, string, string]>;
      problems: Array<{ spec: string; origin: string }>;
    };
    expect(out.loaded).toContainEqual(["probe", "config", plugin]);
    expect(out.problems.filter((p) => p.origin !== "default")).toEqual([]);
  });
});
