/**
 * A third-party plugin the way a user gets one: the CLI installed with npm from the packed
 * tarballs into an empty folder outside the workspace, the example plugin
 * (examples/provider-env) packed and installed with `vaultlink plugins install`, then used
 * through the installed CLI: connect, link, read, cache reset, disconnect, uninstall. The
 * plugin peer-depends on @vaultlink/core and nothing installs core beside it: the host's core
 * is what it gets.
 *
 * Then the plugin author's way, with the same CLI install: the packed scaffolder
 * (`npm exec` of @vaultlink/create-provider's tarball, as `npm create @vaultlink/provider`
 * runs it) writes a project there, which installs core and the testkit from the tarballs,
 * passes its own conformance tests, packs, and is installed and used through the CLI against
 * its own stand-in service.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { stripVTControlCharacters } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliTarballs, type Packed, packAll, packOne, REPO, tarballOf, tool } from "./packed.js";

const INSTALL_TIMEOUT = 600_000; // a cold npm cache downloads every SDK the providers use
const STEP = 60_000;
const VALUE = "packed-plugin-value-7d21c4e9";

let root: string;
let app: string;
let home: string;
let pluginTarball: string;
let packed: Packed[] = [];
let vaultKey = "";

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const NETWORK_VARS = [
  "NODE_EXTRA_CA_CERTS",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "NO_PROXY",
  "http_proxy",
  "https_proxy",
  "no_proxy",
];

function networkEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of NETWORK_VARS) {
    const value = process.env[name];
    if (value) env[name] = value;
  }
  return env;
}

/** The installed `vaultlink` (app/node_modules/.bin), from an unrelated folder; never printed. */
function vaultlink(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((res, rej) => {
    const child = spawn(join(app, "node_modules", ".bin", "vaultlink"), args, {
      cwd: root,
      env: {
        // npm for `plugins install`, this Node, and system tools only: no workspace binaries.
        PATH: [dirname(process.execPath), "/usr/local/bin", "/usr/bin", "/bin"].join(delimiter),
        HOME: home,
        VAULTLINK_HOME: join(home, "vaultlink"),
        NO_COLOR: "1",
        // How this machine reaches the registry (a TLS-inspecting proxy's CA, proxies), as a
        // user's shell has it: without it npm's retries on a refused certificate take minutes.
        ...networkEnv(),
        ...(vaultKey ? { VAULTLINK_VAULT_KEY: vaultKey } : {}),
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", rej);
    child.on("close", (code) => res({ code, stdout, stderr }));
  });
}

async function ok(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  const r = await vaultlink(args, env);
  const first = (r.stderr.split("\n").find((l) => l.trim() !== "") ?? "").split(VALUE).join("***");
  expect(r.code, `vaultlink ${args.join(" ")} -> exit ${r.code}; ${first.slice(0, 400)}`).toBe(0);
  return r;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "vaultlink-packed-plugin-"));
  const tarballs = join(root, "tarballs");
  app = join(root, "app");
  home = join(root, "home");
  await Promise.all([tarballs, app, home].map((d) => mkdir(d)));
  const pluginDir = join(REPO, "examples", "provider-env");
  if (!existsSync(join(pluginDir, "dist", "index.js")))
    throw new Error(`${pluginDir}/dist is missing: build the workspace first.`);
  packed = await packAll(tarballs);
  pluginTarball = (await packOne(pluginDir, tarballs)).tarball;
  await writeFile(join(app, "package.json"), JSON.stringify({ name: "app", private: true }));
  await tool(
    "npm",
    ["install", "--no-audit", "--no-fund", "--prefer-offline", ...cliTarballs(packed)],
    app,
    INSTALL_TIMEOUT - 120_000,
  );
}, INSTALL_TIMEOUT);

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe("a plugin installed into the packed CLI with `vaultlink plugins install`", () => {
  it("the CLI is a real install outside the workspace", () => {
    const bin = realpathSync(join(app, "node_modules", ".bin", "vaultlink"));
    expect(bin.startsWith(realpathSync(app) + sep)).toBe(true);
    expect(realpathSync(app).startsWith(realpathSync(REPO))).toBe(false);
  });

  it(
    "installs the packed example plugin, checked and enabled, without a core beside it",
    async () => {
      const r = await ok(["plugins", "install", pluginTarball, "--json"]);
      expect(JSON.parse(r.stdout)).toMatchObject({
        installed: { name: "vaultlink-provider-env", id: "env" },
      });
      const pluginsDir = join(home, "vaultlink", "plugins");
      expect(existsSync(join(pluginsDir, "node_modules", "vaultlink-provider-env"))).toBe(true);
      expect(existsSync(join(pluginsDir, "node_modules", "@vaultlink", "core"))).toBe(false);
      expect(JSON.parse(readFileSync(join(home, "vaultlink", "config.json"), "utf8"))).toEqual({
        plugins: ["vaultlink-provider-env"],
      });
      const listed = JSON.parse((await ok(["plugins", "list", "--json"])).stdout) as {
        loaded: Array<{ id: string; origin: string }>;
        broken: unknown[];
        incompatible: unknown[];
      };
      expect(listed.loaded).toContainEqual(
        expect.objectContaining({ id: "env", origin: "config" }),
      );
      expect(listed.broken).toEqual([]);
      expect(listed.incompatible).toEqual([]);
    },
    INSTALL_TIMEOUT, // `plugins install` runs npm
  );

  it(
    "connects, links, reads, resets the cache, reads again and disconnects through it",
    async () => {
      const created = await ok(["vault", "create", "--no-keychain", "--json"]);
      vaultKey = (JSON.parse(created.stdout) as { vaultKey: string }).vaultKey;
      await ok(["integration", "connect", "env"]);
      await ok(["secret", "link", "from-env", "env", "env://VLX_PACKED_PLUGIN"], {
        VLX_PACKED_PLUGIN: VALUE,
      });
      const read = await ok(["read", "from-env", "--no-newline"], { VLX_PACKED_PLUGIN: VALUE });
      expect(read.stdout === VALUE, "read printed the variable's value").toBe(true);
      await ok(["cache", "reset"]);
      const again = await ok(["read", "from-env", "--no-newline"], { VLX_PACKED_PLUGIN: VALUE });
      expect(again.stdout === VALUE, "read after cache reset printed the value").toBe(true);
      await ok(["integration", "disconnect", "env"]);
      const after = await vaultlink(["read", "from-env"], { VLX_PACKED_PLUGIN: VALUE });
      expect(after.code).not.toBe(0);
      expect(after.stdout).toBe("");
    },
    STEP * 2,
  );

  it(
    "uninstalls it by provider id",
    async () => {
      await ok(["plugins", "uninstall", "env"]);
      expect(JSON.parse(readFileSync(join(home, "vaultlink", "config.json"), "utf8"))).toEqual({
        plugins: [],
      });
      const listed = JSON.parse((await ok(["plugins", "list", "--json"])).stdout) as {
        loaded: Array<{ id: string }>;
        installed: unknown[];
      };
      expect(listed.loaded.map((p) => p.id)).not.toContain("env");
      expect(listed.installed).toEqual([]);
    },
    STEP * 2,
  );
});

/** The parts of the generated project's stand-in service (test/support/service.ts) used here. */
interface StandIn {
  url: string;
  secrets: Map<string, string>;
  faults: { deny(): void; clear(): void };
  close(): Promise<void>;
}

const SCAFFOLD_ID = "acme-kv";
const API_KEY = "packed-scaffold-api-key-3b8f";
const FIRST = "scaffolded-first-value-61ac";
const SECOND = "scaffolded-second-value-d90e";
let project: string;
let projectTarball: string;
let standIn: StandIn | undefined;

afterAll(async () => {
  await standIn?.close();
});

describe("a plugin scaffolded with the packed @vaultlink/create-provider", () => {
  it(
    "writes a project with npm exec of the scaffolder's tarball, and refuses to write over it",
    async () => {
      const scaffolder = tarballOf(packed, "@vaultlink/create-provider");
      const args = [
        "exec",
        "--yes",
        "--prefer-offline",
        "--package",
        scaffolder,
        "--",
        "create-provider",
        SCAFFOLD_ID,
        "--id",
        SCAFFOLD_ID,
        "--yes",
      ];
      const out = await tool("npm", args, root, INSTALL_TIMEOUT / 2);
      expect(out).toContain(`Created vaultlink-provider-${SCAFFOLD_ID}`);
      project = join(root, SCAFFOLD_ID);
      const manifest = JSON.parse(readFileSync(join(project, "package.json"), "utf8"));
      expect(manifest).toMatchObject({
        name: `vaultlink-provider-${SCAFFOLD_ID}`,
        type: "module",
        vaultlink: { role: "provider", id: SCAFFOLD_ID },
      });
      const core = packed.find((p) => p.name === "@vaultlink/core") as Packed;
      expect(manifest.devDependencies["@vaultlink/core"]).toBe(`^${String(core.manifest.version)}`);
      await expect(tool("npm", args, root, INSTALL_TIMEOUT / 2)).rejects.toThrow(/is not empty/);
    },
    INSTALL_TIMEOUT / 2,
  );

  it(
    "installs core and the testkit from the tarballs and passes its own conformance tests",
    async () => {
      await tool(
        "npm",
        [
          "install",
          "--no-audit",
          "--no-fund",
          "--prefer-offline",
          "--save-dev",
          tarballOf(packed, "@vaultlink/core"),
          tarballOf(packed, "@vaultlink/testkit"),
        ],
        project,
        INSTALL_TIMEOUT - 60_000,
      );
      const testkit = realpathSync(join(project, "node_modules", "@vaultlink", "testkit"));
      expect(testkit.startsWith(realpathSync(project) + sep)).toBe(true);
      const tested = stripVTControlCharacters(await tool("npm", ["test"], project, STEP * 4));
      expect(tested).toMatch(/Tests\s+\d+ passed/);
      expect(tested).not.toMatch(/failed|skipped/);
      const pack = JSON.parse(await tool("npm", ["pack", "--json"], project, STEP * 2)) as Array<{
        filename: string;
        files: Array<{ path: string }>;
      }>;
      const paths = pack[0]?.files.map((f) => f.path) ?? [];
      expect(paths).toContain("dist/index.js");
      expect(paths.filter((f) => f.startsWith("src/") || f.startsWith("test/"))).toEqual([]);
      projectTarball = join(project, pack[0]?.filename ?? "");
    },
    INSTALL_TIMEOUT,
  );

  it(
    "installs with `vaultlink plugins install` and connects, links, reads, resets the cache and disconnects",
    async () => {
      const installed = await ok(["plugins", "install", projectTarball, "--json"]);
      expect(JSON.parse(installed.stdout)).toMatchObject({
        installed: { name: `vaultlink-provider-${SCAFFOLD_ID}`, id: SCAFFOLD_ID },
      });
      const service = (await import(
        pathToFileURL(join(project, "test", "support", "service.ts")).href
      )) as {
        startStandIn(o: { secrets: Record<string, string>; apiKeys: string[] }): Promise<StandIn>;
      };
      standIn = await service.startStandIn({
        secrets: { "db/password": FIRST },
        apiKeys: [API_KEY],
      });
      const keyEnv = { VAULTLINK_ACME_KV_API_KEY: API_KEY };
      await ok(["integration", "connect", SCAFFOLD_ID, "--url", standIn.url], keyEnv);
      await ok(["secret", "link", "scaffolded", SCAFFOLD_ID, `${SCAFFOLD_ID}://db/password`]);
      const read = await ok(["read", "scaffolded", "--no-newline"]);
      expect(read.stdout === FIRST, "read printed the service's value").toBe(true);

      // Cached: a new value in the service shows only after the cache is reset.
      standIn.secrets.set("db/password", SECOND);
      const cached = await ok(["read", "scaffolded", "--no-newline"]);
      expect(cached.stdout === FIRST, "the second read came from the cache").toBe(true);
      await ok(["cache", "reset"]);
      const fresh = await ok(["read", "scaffolded", "--no-newline"]);
      expect(fresh.stdout === SECOND, "after cache reset the read fetched the new value").toBe(
        true,
      );

      // The exit codes docs/cli.md gives for a provider's NOT_FOUND and PERMISSION_DENIED.
      const missing = await vaultlink([
        "secret",
        "link",
        "missing",
        SCAFFOLD_ID,
        `${SCAFFOLD_ID}://no/such`,
        "--json",
      ]);
      expect(missing.code).toBe(1);
      expect(JSON.parse(missing.stdout).error.code).toBe("NOT_FOUND");
      standIn.faults.deny();
      await ok(["cache", "reset"]);
      const denied = await vaultlink(["read", "scaffolded", "--json"]);
      expect(denied.code).toBe(3);
      expect(JSON.parse(denied.stdout).error.code).toBe("UNRESOLVED");
      expect(denied.stderr).toContain("(provider-error): Not allowed to read db/password.");
      standIn.faults.clear();

      await ok(["integration", "disconnect", SCAFFOLD_ID]);
      const after = await vaultlink(["read", "scaffolded"]);
      expect(after.code).toBe(4);
      expect(after.stdout).toBe("");
      await ok(["plugins", "uninstall", SCAFFOLD_ID]);
    },
    INSTALL_TIMEOUT, // `plugins install` runs npm, as the install steps above do
  );
});
