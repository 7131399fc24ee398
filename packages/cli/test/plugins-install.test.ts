import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES, hashFile, newVault, noStack, type TestVault, tempHome } from "./helpers.js";

/**
 * `vaultlink plugins install|uninstall|update|list` with real npm, offline: plugins come from
 * folders made here (outside the workspace, in the temp dir), so nothing of the workspace's
 * node_modules is on their resolution path. None of them has @vaultlink/core beside it: the
 * host's core is the only one they can get.
 */

interface PluginFolderOptions {
  name: string;
  id?: string;
  apiVersion?: number;
  coreRange?: string;
  type?: "module" | "commonjs";
  source?: string;
  exports?: Record<string, unknown>;
  /** Where the provider's code goes (default index.js). */
  file?: string;
  /** npm lifecycle scripts of the package. */
  scripts?: Record<string, string>;
}

function pluginFolder(parent: string, o: PluginFolderOptions): string {
  const dir = join(parent, o.name);
  mkdirSync(dir, { recursive: true });
  const pkg: Record<string, unknown> = {
    name: o.name,
    version: "1.2.3",
    type: o.type ?? "module",
    main: "index.js",
    vaultlink: { role: "provider", apiVersion: o.apiVersion ?? 1, id: o.id ?? "jsonfile" },
    peerDependencies: { "@vaultlink/core": o.coreRange ?? ">=0.1.0 <1.0.0" },
  };
  if (o.exports) pkg.exports = o.exports;
  if (o.scripts) pkg.scripts = o.scripts;
  writeFileSync(join(dir, "package.json"), JSON.stringify(pkg, null, 2));
  const file = join(dir, o.file ?? "index.js");
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, o.source ?? readFileSync(join(FIXTURES, "json-provider.js"), "utf8"));
  return dir;
}

function state(v: TestVault): { config: string; manifest: string; installed: string[] } {
  const modules = join(v.home, "plugins", "node_modules");
  return {
    config: hashFile(join(v.home, "config.json")),
    manifest: hashFile(join(v.home, "plugins", "package.json")),
    installed: existsSync(modules)
      ? (readFileSync(join(v.home, "plugins", "package.json"), "utf8").match(/"[^"]+": "file:/g) ??
        [])
      : [],
  };
}

const TIMEOUT = 120_000;

describe("plugins install, list, update, uninstall", () => {
  it(
    "installs a folder plugin that peer-depends on core, enables it, and it works end to end",
    async () => {
      const v = await newVault();
      const src = tempHome();
      try {
        const dir = pluginFolder(src, { name: "vaultlink-provider-jsonfile" });
        const r = await v.run(["plugins", "install", dir, "--json"]);
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        expect(JSON.parse(r.stdout)).toMatchObject({
          installed: { name: "vaultlink-test-json-provider", id: "jsonfile", version: "1.0.0" },
          config: join(v.home, "config.json"),
          pluginsDir: join(v.home, "plugins"),
        });
        expect(JSON.parse(readFileSync(join(v.home, "config.json"), "utf8"))).toEqual({
          plugins: ["vaultlink-provider-jsonfile"],
        });
        // No core was installed beside it: the host's core is the one it imports.
        expect(existsSync(join(v.home, "plugins", "node_modules", "@vaultlink"))).toBe(false);

        const listed = JSON.parse((await v.run(["plugins", "list", "--json"])).stdout) as {
          loaded: Array<{ id: string; spec: string }>;
          installed: unknown[];
          broken: unknown[];
        };
        expect(listed.loaded).toContainEqual(
          expect.objectContaining({ id: "jsonfile", spec: "vaultlink-provider-jsonfile" }),
        );
        expect(listed.installed).toEqual([
          { name: "vaultlink-provider-jsonfile", version: "1.2.3", id: "jsonfile", enabled: true },
        ]);
        expect(listed.broken).toEqual([]);

        const values = join(v.home, "values.json");
        writeFileSync(values, JSON.stringify({ api: "installed-plugin-value" }));
        const connect = await v.run(
          ["integration", "connect", "jsonfile", "--id", "json", "--file", values],
          { env: { JSONFILE_TOKEN: "good-token" } },
        );
        expect(connect.code).toBe(0);
        expect((await v.run(["secret", "link", "api", "json", "json://api"])).code).toBe(0);
        const read = await v.run(["read", "api", "--no-newline"]);
        expect(read.stdout === "installed-plugin-value").toBe(true);
        const reset = await v.run(["cache", "reset"]);
        expect(reset.stderr).toMatch(/Dropped 1 cached value/);
        expect(reset.code).toBe(0);
        const reread = await v.run(["read", "api", "--no-newline"]);
        expect(reread.stdout === "installed-plugin-value").toBe(true);
        expect(readFileSync(`${values}.count`, "utf8").split("\n").filter(Boolean)).toHaveLength(3);

        const disconnect = await v.run(["integration", "disconnect", "json", "--json"]);
        expect(disconnect.code).toBe(0);

        const up = await v.run(["plugins", "update", "--json"]);
        expect(up.code).toBe(0);
        expect(JSON.parse(up.stdout)).toEqual({
          updated: [{ name: "vaultlink-provider-jsonfile", from: "1.2.3", to: "1.2.3" }],
        });

        const un = await v.run(["plugins", "uninstall", "jsonfile", "--json"]);
        expect(un.code).toBe(0);
        expect(JSON.parse(un.stdout)).toEqual({
          uninstalled: { name: "vaultlink-provider-jsonfile", version: "1.2.3" },
          config: join(v.home, "config.json"),
        });
        expect(JSON.parse(readFileSync(join(v.home, "config.json"), "utf8"))).toEqual({
          plugins: [],
        });
        expect(
          existsSync(join(v.home, "plugins", "node_modules", "vaultlink-provider-jsonfile")),
        ).toBe(false);
        const again = await v.run(["plugins", "uninstall", "jsonfile"]);
        expect(again.code).toBe(1);
        expect(again.stderr).toMatch(/No plugin "jsonfile" is installed/);
      } finally {
        v.cleanup();
      }
    },
    TIMEOUT,
  );

  it(
    "refuses before enabling: plugin API, core range, not a provider, CommonJS; config and folder unchanged",
    async () => {
      const v = await newVault({ config: { plugins: [], discover: false } });
      const src = tempHome();
      try {
        const cases: Array<[PluginFolderOptions, RegExp, RegExp]> = [
          [
            { name: "future-api", apiVersion: 2 },
            /future-api@1\.2\.3 cannot be enabled: it targets plugin API version 2; this vaultlink supports 1/,
            /plugin API 1/,
          ],
          [
            { name: "wants-core-two", coreRange: "^2.0.0" },
            /it needs @vaultlink\/core \^2\.0\.0; this vaultlink gives plugins core 0\.\d+\.\d+/,
            /whose @vaultlink\/core range includes/,
          ],
          [
            { name: "commonjs-plugin", type: "commonjs" },
            /is CommonJS, but a plugin must be an ES module/,
            /must be ESM: add "type": "module".*or name the file \.mjs/,
          ],
          [
            { name: "not-a-provider", source: "export default { hello: 1 };\n" },
            /not-a-provider@1\.2\.3 cannot be enabled: .*not a vaultlink provider/,
            /defineProvider/,
          ],
        ];
        // Installed once so the refusals also prove an existing install is kept.
        const good = pluginFolder(src, { name: "kept-plugin" });
        expect((await v.run(["plugins", "install", good])).code).toBe(0);
        const before = state(v);
        for (const [o, why, fix] of cases) {
          const r = await v.run(["plugins", "install", pluginFolder(src, o)]);
          expect(r.code, o.name).toBe(1);
          expect(r.stderr).toMatch(why);
          expect(r.stderr).toMatch(new RegExp(`hint: .*${fix.source}`));
          expect(noStack(r.stderr)).toBe(true);
          // Node's own module-format warning is not relayed; our message says it.
          expect(r.stderr).not.toMatch(/\(node:\d+\)|Warning:/);
          expect(state(v)).toEqual(before);
          expect(existsSync(join(v.home, "plugins", "node_modules", o.name))).toBe(false);
        }
        const listed = JSON.parse((await v.run(["plugins", "list", "--json"])).stdout) as {
          loaded: Array<{ spec: string }>;
        };
        expect(listed.loaded.map((p) => p.spec)).toContain("kept-plugin");
      } finally {
        v.cleanup();
      }
    },
    TIMEOUT,
  );

  it("finds a plugin whose exports map leaves out ./package.json", async () => {
    const v = await newVault({ config: { plugins: ["no-pkg-export"] } });
    try {
      pluginFolder(join(v.home, "node_modules"), {
        name: "no-pkg-export",
        exports: { ".": "./index.js" },
      });
      const listed = JSON.parse((await v.run(["plugins", "list", "--json"])).stdout) as {
        loaded: Array<{ id: string; spec: string }>;
        broken: unknown[];
      };
      expect(listed.broken).toEqual([]);
      expect(listed.loaded).toContainEqual(
        expect.objectContaining({ id: "jsonfile", spec: "no-pkg-export" }),
      );
    } finally {
      v.cleanup();
    }
  });

  it("follows nested export conditions to the file Node imports, and reports a map with no entry", async () => {
    const v = await newVault({ config: { plugins: ["nested-exports", "no-dot-export"] } });
    try {
      // index.js (the "main") would fail: only the nested node → import file is the provider.
      pluginFolder(join(v.home, "node_modules"), {
        name: "nested-exports",
        file: "dist/esm/provider.js",
        exports: {
          ".": {
            types: "./dist/provider.d.ts",
            node: { import: "./dist/esm/provider.js", require: "./dist/cjs/provider.cjs" },
            default: "./index.js",
          },
          "./package.json": "./package.json",
        },
      });
      pluginFolder(join(v.home, "node_modules"), {
        name: "no-dot-export",
        exports: { "./extra": "./index.js" },
      });
      const listed = JSON.parse((await v.run(["plugins", "list", "--json"])).stdout) as {
        loaded: Array<{ id: string; spec: string }>;
        broken: Array<{ spec: string; reason: string }>;
      };
      expect(listed.loaded).toContainEqual(
        expect.objectContaining({ id: "jsonfile", spec: "nested-exports" }),
      );
      expect(listed.broken).toEqual([
        expect.objectContaining({
          spec: "no-dot-export",
          reason: expect.stringMatching(/exports no entry that Node can import/),
        }),
      ]);
    } finally {
      v.cleanup();
    }
  });

  it(
    "install scripts do not run unless --allow-scripts is given",
    async () => {
      const v = await newVault();
      const parent = tempHome();
      try {
        const marker = join(parent, "postinstall-ran");
        const dir = pluginFolder(parent, {
          name: "vaultlink-provider-scripted",
          scripts: {
            postinstall: `node -e "require('fs').writeFileSync(process.argv[1], 'ran')" ${marker}`,
          },
        });
        const packed = spawnSync(
          "npm",
          ["pack", "--ignore-scripts", "--pack-destination", parent],
          {
            cwd: dir,
            encoding: "utf8",
          },
        );
        expect(packed.status, packed.stderr).toBe(0);
        const tgz = join(parent, packed.stdout.trim().split("\n").pop() ?? "");
        const plain = await v.run(["plugins", "install", tgz]);
        expect(plain.code, plain.stderr).toBe(0);
        expect(existsSync(marker)).toBe(false);
        expect((await v.run(["plugins", "uninstall", "jsonfile"])).code).toBe(0);
        const allowed = await v.run(["plugins", "install", tgz, "--allow-scripts"]);
        expect(allowed.code, allowed.stderr).toBe(0);
        expect(readFileSync(marker, "utf8")).toBe("ran");
      } finally {
        v.cleanup();
        rmSync(parent, { recursive: true, force: true });
      }
    },
    TIMEOUT,
  );

  it("npm runs without any VAULTLINK_ variable, and its failure is reported with a fix", async () => {
    const v = await newVault();
    try {
      const fakeNpm = join(v.home, "fake-npm.sh");
      const seen = join(v.home, "npm-env.txt");
      writeFileSync(
        fakeNpm,
        `#!/bin/sh\nenv > "${seen}"\necho "npm error 404 Not Found - GET https://registry.example/nope" >&2\nexit 1\n`,
        { mode: 0o755 },
      );
      const before = hashFile(join(v.home, "config.json"));
      const r = await v.run(["plugins", "install", "nope-no-such-plugin"], {
        env: { VAULTLINK_NPM: fakeNpm },
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/npm install --save nope-no-such-plugin failed .*exit 1/);
      expect(r.stderr).toMatch(/npm error 404 Not Found/);
      expect(r.stderr).toMatch(/hint: .*nothing was enabled/);
      expect(readFileSync(seen, "utf8")).not.toMatch(/^VAULTLINK_/m);
      expect(readFileSync(seen, "utf8")).not.toContain(v.key);
      expect(hashFile(join(v.home, "config.json"))).toBe(before);
    } finally {
      v.cleanup();
    }
  });

  it("a config key typo is refused with the file, the key and the fix", async () => {
    const v = await newVault();
    try {
      writeFileSync(join(v.home, "config.json"), JSON.stringify({ plugin: ["x"] }));
      const r = await v.run(["plugins", "list"]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(join(v.home, "config.json"));
      expect(r.stderr).toMatch(/the key "plugin" is not a config key/);
      expect(r.stderr).toMatch(/hint: Rename "plugin" to "plugins"/);
    } finally {
      v.cleanup();
    }
  });

  it("a broken config.json does not block local secrets: a warning, then the read", async () => {
    const v = await newVault();
    try {
      const add = await v.run(["secret", "add", "local-one"], { input: "local-value-3f9a" });
      expect(add.code).toBe(0);
      for (const text of ["{ not json", JSON.stringify({ plugin: ["x"] })]) {
        writeFileSync(join(v.home, "config.json"), text);
        // --debug sends the read down the full path, which opens the vault with plugins.
        for (const args of [
          ["read", "local-one"],
          ["--debug", "read", "local-one", "--json"],
        ]) {
          const r = await v.run(args);
          expect(r.code, args.join(" ")).toBe(0);
          expect(r.stdout.includes("local-value-3f9a")).toBe(true);
        }
        const listed = await v.run(["secret", "list"]);
        expect(listed.code).toBe(0);
        expect(listed.stderr).toContain(`warning: The config file ${join(v.home, "config.json")}`);
        expect(listed.stderr).toMatch(/Its plugins are not loaded/);
        // Managing plugins through it is refused instead.
        const plugins = await v.run(["plugins", "list"]);
        expect(plugins.code).toBe(2);
      }
    } finally {
      v.cleanup();
    }
  });

  it("connect to a plugin that failed names its problem, and never lists it as loaded", async () => {
    const v = await newVault({ config: { plugins: ["future-api"] } });
    try {
      pluginFolder(join(v.home, "node_modules"), { name: "future-api", id: "fut", apiVersion: 2 });
      const r = await v.run(["integration", "connect", "fut"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /The "fut" provider plugin \(future-api\) is incompatible: it targets plugin API version 2/,
      );
      expect(r.stderr).toMatch(/hint: Install a release of future-api built for plugin API 1/);
      const unknown = await v.run(["integration", "connect", "nope"]);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toMatch(/No provider plugin with id "nope" is loaded/);
      const loadedLine = unknown.stderr.split("\n").find((l) => l.includes("Loaded providers"));
      expect(loadedLine).toMatch(/aws/);
      expect(loadedLine).not.toMatch(/fut/);
    } finally {
      v.cleanup();
    }
  });
});
