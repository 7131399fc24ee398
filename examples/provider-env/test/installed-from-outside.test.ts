import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import type { ProviderDefinition } from "@vaultlink/core/plugin";
import { runConformanceChecks } from "@vaultlink/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFixtureDir, type FixtureDir, VALUES } from "./support/fixture-dir.js";
import { envFixtures, envHarness } from "./support/harness.js";

/**
 * The plugin as a user gets it: built, packed with `pnpm pack` (which rewrites workspace:
 * ranges), installed with npm into a project outside the workspace next to a packed
 * @vaultlink/core, and loaded by the built CLI from that project's config.json.
 */

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const pluginDir = resolve(here, "..");
const repo = resolve(pluginDir, "../..");
const coreDir = join(repo, "packages/core");
const cliBin = join(repo, "packages/cli/dist/bin.cjs");
const pnpm = join(repo, "scripts/pnpm.sh");
const TIMEOUT = 300_000; // a cold npm cache downloads core's dependencies

let project: string;
let fixture: FixtureDir;
let cliEnv: NodeJS.ProcessEnv;

async function pack(cwd: string, destination: string): Promise<string> {
  const before = new Set(await readdir(destination));
  await run("bash", [pnpm, "pack", "--pack-destination", destination], { cwd });
  const tarball = (await readdir(destination)).find((f) => f.endsWith(".tgz") && !before.has(f));
  if (!tarball) throw new Error(`pnpm pack in ${cwd} wrote no tarball.`);
  return join(destination, tarball);
}

/** Run the built CLI; output is returned, never printed, since `read` prints a secret. */
async function cli(
  args: string[],
  extraEnv: NodeJS.ProcessEnv = {},
): Promise<{ stdout: string; stderr: string }> {
  try {
    return await run(process.execPath, [cliBin, ...args], {
      cwd: project,
      env: { ...cliEnv, ...extraEnv },
    });
  } catch (error) {
    const e = error as { code?: number; stderr?: string };
    throw new Error(
      `vaultlink ${args[0]} ${args[1] ?? ""} exited with ${e.code}: ${(e.stderr ?? "").slice(0, 500)}`,
    );
  }
}

beforeAll(async () => {
  for (const built of [join(coreDir, "dist/plugin/index.js"), cliBin]) {
    if (!existsSync(built)) throw new Error(`${built} is missing: build the workspace first.`);
  }
  await run("npx", ["tsc", "-p", "tsconfig.json"], { cwd: pluginDir });
  project = await mkdtemp(join(tmpdir(), "vaultlink-outside-"));
  const tarballs = join(project, "tarballs");
  await mkdir(tarballs);
  const coreTarball = await pack(coreDir, tarballs);
  const pluginTarball = await pack(pluginDir, tarballs);
  await writeFile(
    join(project, "package.json"),
    JSON.stringify({ name: "outside-project", private: true, type: "module" }),
  );
  // Core's own dependencies come from the registry, as they would for a user.
  await run(
    "npm",
    ["install", "--prefer-offline", "--no-audit", "--no-fund", coreTarball, pluginTarball],
    {
      cwd: project,
    },
  );
  await writeFile(
    join(project, "config.json"),
    JSON.stringify({ plugins: ["vaultlink-provider-env"] }),
  );
  fixture = await createFixtureDir();
  const { VAULTLINK_VAULT_KEY: _key, ...env } = process.env;
  cliEnv = {
    ...env,
    VAULTLINK_HOME: join(project, "home"),
    VAULTLINK_CONFIG: join(project, "config.json"),
    NO_COLOR: "1",
  };
}, TIMEOUT);

afterAll(async () => {
  await fixture?.remove();
  if (project) await rm(project, { recursive: true, force: true });
});

describe("vaultlink-provider-env installed from outside the workspace", () => {
  it("installs with its workspace ranges rewritten to published ones", async () => {
    const pkg = (await import(
      pathToFileURL(join(project, "node_modules/vaultlink-provider-env/package.json")).href,
      {
        with: { type: "json" },
      }
    )) as { default: Record<string, Record<string, string>> };
    expect(pkg.default.peerDependencies).toEqual({ "@vaultlink/core": ">=0.1.0 <1.0.0" });
    expect(JSON.stringify(pkg.default)).not.toContain("workspace:");
    expect(existsSync(join(project, "node_modules/vaultlink-provider-env/dist/index.js"))).toBe(
      true,
    );
    expect(existsSync(join(project, "node_modules/vaultlink-provider-env/src"))).toBe(false);
  });

  it(
    "is listed as loaded by `vaultlink plugins list`",
    async () => {
      const { stdout } = await cli(["plugins", "list", "--json"]);
      const listed = JSON.parse(stdout) as {
        loaded: Array<{ id: string; name: string; version: string; origin: string }>;
        problems?: unknown[];
      };
      expect(listed.loaded).toContainEqual(
        expect.objectContaining({
          id: "env",
          name: "vaultlink-provider-env",
          version: "0.1.0",
          origin: "config",
        }),
      );
    },
    TIMEOUT,
  );

  it(
    "connects, links and reads through the CLI",
    async () => {
      const created = await cli(["vault", "create", "--no-keychain", "--json"]);
      const vaultKey = (JSON.parse(created.stdout) as { vaultKey: string }).vaultKey;
      expect(vaultKey).toMatch(/^vlk_/);
      cliEnv.VAULTLINK_VAULT_KEY = vaultKey;

      // env:// from the process environment, with auth method "none".
      await cli(["integration", "connect", "env"]);
      // secret link fetches the reference once to check it: the variable must be there too.
      const linked = await cli(["secret", "link", "from-env", "env", "env://VLX_OUTSIDE_VAR"], {
        VLX_OUTSIDE_VAR: VALUES.outside,
      });
      expect(linked.stderr).toContain("(checked: the provider returned a value)");
      const read = await cli(["read", "from-env", "--no-newline"], {
        VLX_OUTSIDE_VAR: VALUES.outside,
      });
      // Compared as a boolean so a failure never prints the value.
      expect(read.stdout === VALUES.outside).toBe(true);

      // cmd:// and an env file, behind the passphrase method (the passphrase from its env var).
      const { hashPassphrase } = (await import(
        pathToFileURL(join(project, "node_modules/vaultlink-provider-env/dist/index.js")).href
      )) as { hashPassphrase: (p: string) => Promise<string> };
      const passphrase = "outside-passphrase-5e0f";
      await cli(
        [
          "integration",
          "connect",
          "env",
          "--id",
          "env-locked",
          "--method",
          "passphrase",
          "--tokenHash",
          await hashPassphrase(passphrase),
          "--envFile",
          fixture.envFile,
          "--commands",
          fixture.commands,
          "--allow",
          "VLX_",
        ],
        { VAULTLINK_ENV_TOKEN: passphrase },
      );
      await cli(["secret", "link", "deploy", "env-locked", "cmd://deploy-token"]);
      await cli(["secret", "link", "db", "env-locked", "env://VLX_DB_PASSWORD"]);
      const deploy = await cli(["read", "deploy", "--no-newline"]);
      const db = await cli(["read", "db", "--no-newline"]);
      expect(deploy.stdout === VALUES.deployToken).toBe(true);
      expect(db.stdout === VALUES.dbPassword).toBe(true);
    },
    TIMEOUT,
  );

  it(
    "passes the conformance checks when imported from the outside project",
    async () => {
      const mod = (await import(
        pathToFileURL(join(project, "node_modules/vaultlink-provider-env/dist/index.js")).href
      )) as { default: ProviderDefinition; hashPassphrase: (p: string) => Promise<string> };
      const report = await runConformanceChecks(
        () => envHarness(mod.default, mod.hashPassphrase),
        envFixtures,
      );
      expect(report.failed.map((f) => `${f.id}: ${String(f.error)}`)).toEqual([]);
      expect(report.passed).toContain("fault-unreachable");
      expect(report.passed).toContain("no-leaks");
    },
    TIMEOUT,
  );
});
