/**
 * vaultlink as a user gets it: every publishable package packed with `pnpm pack` (which rewrites
 * workspace: ranges), the CLI installed globally with npm from those tarballs into a temporary
 * prefix (no workspace links; third-party dependencies come from the registry), and the
 * installed `vaultlink` run from an unrelated folder, down to a read linked to the 1Password
 * Connect emulator. Also checks that each tarball carries only what users need.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, realpathSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, sep } from "node:path";
import {
  type RunningOnePasswordConnect,
  startOnePasswordConnectEmulator,
} from "@vaultlink/emulators";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliTarballs, type Packed, packAll, tool } from "./packed.js";

const INSTALL_TIMEOUT = 600_000; // a cold npm cache downloads every SDK the providers use

const API_KEY = "packed-e2e-api-key-5c1d9e07";
const LINKED_VALUE = "packed-e2e-linked-value-a83f2b6";

/**
 * What a published tarball may hold: the package's manifest, README, licence, built code and
 * (the CLI) its man page.
 */
const ALLOWED = /^(package\.json|README\.md|LICENSE|dist\/.+\.(js|cjs|d\.ts|1))$/;
/** The scaffolder also ships the project it writes; the vault screen its page's styles and HTML. */
const ALLOWED_EXTRA: Record<string, RegExp> = {
  "@vaultlink/create-provider": /^template\/.+/,
  "@vaultlink/ui": /^dist\/page\/[^/]+\.(css|html)$/,
};

let root: string;
let prefix: string;
let elsewhere: string;
let home: string;
let emu: RunningOnePasswordConnect;
let vaultKey = "";
const packed: Packed[] = [];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run the globally installed `vaultlink` from the unrelated folder; output is never printed. */
function vaultlink(
  args: readonly string[],
  options: { input?: string; env?: Record<string, string> } = {},
): Promise<Run> {
  return new Promise((res, rej) => {
    const env: Record<string, string> = {
      // Only the install's bin folder and the Node running the tests: no workspace tools.
      PATH: [join(prefix, "bin"), dirname(process.execPath), "/usr/bin", "/bin"].join(delimiter),
      HOME: home,
      VAULTLINK_HOME: join(home, "vaultlink"),
      NO_COLOR: "1",
      ...(vaultKey ? { VAULTLINK_VAULT_KEY: vaultKey } : {}),
      ...options.env,
    };
    const child = spawn(join(prefix, "bin", "vaultlink"), args, {
      cwd: elsewhere,
      env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    child.on("error", rej);
    child.on("close", (code) => res({ code, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}

/** A value-free description of a run for assertion messages. */
function describeRun(args: readonly string[], r: Run): string {
  const first = (r.stderr.split("\n").find((l) => l.trim() !== "") ?? "")
    .split(API_KEY)
    .join("***")
    .split(LINKED_VALUE)
    .join("***");
  return `vaultlink ${args.join(" ")} -> exit ${r.code}; stderr: ${first.slice(0, 300)}`;
}

async function ok(args: readonly string[], options: { input?: string } = {}): Promise<Run> {
  const r = await vaultlink(args, options);
  expect(r.code, describeRun(args, r)).toBe(0);
  return r;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "vaultlink-packed-"));
  const tarballs = join(root, "tarballs");
  prefix = join(root, "prefix");
  elsewhere = join(root, "elsewhere");
  home = join(root, "home");
  await Promise.all([tarballs, prefix, elsewhere, home].map((d) => mkdir(d)));

  packed.push(...(await packAll(tarballs)));

  // The CLI and the packages it depends on, from the tarballs only (the testkit and the
  // scaffolder are for plugin authors, not CLI users).
  const forCli = cliTarballs(packed);
  await tool(
    "npm",
    ["install", "-g", "--prefix", prefix, "--no-audit", "--no-fund", "--prefer-offline", ...forCli],
    elsewhere,
    INSTALL_TIMEOUT - 120_000,
  );

  emu = await startOnePasswordConnectEmulator({
    vaults: [
      {
        name: "Packed",
        items: [
          {
            title: "Service",
            fields: [{ label: "token", value: LINKED_VALUE, type: "CONCEALED" }],
          },
        ],
      },
    ],
  });
}, INSTALL_TIMEOUT);

afterAll(async () => {
  await emu?.stop();
  if (root) await rm(root, { recursive: true, force: true });
});

describe("the published tarballs", () => {
  it("are the ten publishable packages", () => {
    expect(packed.map((p) => p.name)).toEqual([
      "@vaultlink/cli",
      "@vaultlink/core",
      "@vaultlink/create-provider",
      "@vaultlink/newman",
      "@vaultlink/provider-1password",
      "@vaultlink/provider-aws",
      "@vaultlink/provider-azure",
      "@vaultlink/provider-hashicorp",
      "@vaultlink/testkit",
      "@vaultlink/ui",
    ]);
  });

  it("hold only the manifest, README and built code: no sources, tests, maps or build info", () => {
    for (const p of packed) {
      expect(
        p.files.filter((f) => !ALLOWED.test(f) && !ALLOWED_EXTRA[p.name]?.test(f)),
        `${p.name} ships files users do not need`,
      ).toEqual([]);
      expect(p.files, p.name).toContain("README.md");
      expect(
        p.files.some((f) => f.startsWith("dist/")),
        p.name,
      ).toBe(true);
    }
  });

  it("carry every file their manifest points at (exports, bin)", () => {
    for (const p of packed) {
      const targets: string[] = [];
      const walk = (v: unknown) => {
        if (typeof v === "string") targets.push(v.replace(/^\.\//, ""));
        else if (v && typeof v === "object") for (const x of Object.values(v)) walk(x);
      };
      walk(p.manifest.exports);
      walk(p.manifest.bin);
      walk(p.manifest.man);
      for (const t of targets) expect(p.files, `${p.name} -> ${t}`).toContain(t);
    }
  });

  it("have no workspace: ranges left in their manifests", () => {
    for (const p of packed) expect(JSON.stringify(p.manifest), p.name).not.toContain("workspace:");
  });
});

describe("vaultlink installed globally from the tarballs", () => {
  it("is a real install in the prefix, not a link into the workspace", () => {
    const installed = realpathSync(join(prefix, "bin", "vaultlink"));
    expect(installed.startsWith(realpathSync(prefix) + sep)).toBe(true);
    for (const name of ["cli", "core", "provider-1password"]) {
      const dir = realpathSync(join(prefix, "lib", "node_modules", "@vaultlink", name));
      expect(dir.startsWith(realpathSync(prefix) + sep), name).toBe(true);
      expect(existsSync(join(dir, "src")), `${name} has no sources`).toBe(false);
    }
  });

  it("installs its man page where man finds it", () => {
    const r = spawnSync("man", ["vaultlink"], {
      env: {
        PATH: "/usr/bin:/bin",
        MANPATH: join(prefix, "share", "man"),
        MANPAGER: "cat",
        MANWIDTH: "100",
      },
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(withoutOverstrike(r.stdout)).toContain("vaultlink secret add");
  });

  it("prints its version, and with --json the loaded plugins' versions", async () => {
    const cli = packed.find((p) => p.name === "@vaultlink/cli");
    const r = await ok(["--version"]);
    expect(r.stdout.trim()).toBe(String(cli?.manifest.version));
    const json = JSON.parse((await ok(["--version", "--json"])).stdout) as {
      version: string;
      plugins: Array<{ name: string; version: string }>;
    };
    expect(json.version).toBe(String(cli?.manifest.version));
    const expected = packed
      .filter((p) => p.name.startsWith("@vaultlink/provider-"))
      .map((p) => ({ name: p.name, version: String(p.manifest.version) }));
    expect(
      json.plugins
        .map(({ name, version }) => ({ name, version }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    ).toEqual(expected);
  });

  it("creates a vault, adds a secret from stdin and reads it", async () => {
    const created = await ok(["vault", "create", "--no-keychain", "--json"]);
    vaultKey = (JSON.parse(created.stdout) as { vaultKey: string }).vaultKey;
    expect(vaultKey).toMatch(/^vlk_/);
    await ok(["secret", "add", "api-key"], { input: API_KEY });
    const read = await ok(["read", "api-key", "--no-newline"]);
    expect(read.stdout === API_KEY, "read printed the value added").toBe(true);
  });

  it("runs a command with a reference in its environment resolved", async () => {
    const script =
      "process.stdout.write(require('node:crypto').createHash('sha256').update(process.env.API_TOKEN ?? '').digest('hex'))";
    const args = ["run", "--", "node", "-e", script];
    const r = await vaultlink(args, { env: { API_TOKEN: "{{vault:api-key}}" } });
    expect(r.code, describeRun(args, r)).toBe(0);
    expect(r.stdout).toBe(createHash("sha256").update(API_KEY).digest("hex"));
  });

  it("reads a secret linked to 1Password Connect (the emulator)", async () => {
    await ok(
      [
        "integration",
        "connect",
        "1password",
        "--method",
        "connect",
        "--host",
        emu.serverURL,
        "--secrets-stdin",
      ],
      { input: JSON.stringify({ token: emu.token }) },
    );
    await ok(["secret", "link", "linked", "1password", "op://Packed/Service/token"]);
    const before = emu.requests.count();
    const read = await ok(["read", "linked", "--no-newline"]);
    expect(read.stdout === LINKED_VALUE, "read printed the linked value").toBe(true);
    expect(emu.requests.count()).toBeGreaterThan(before);
  });
});

/** man's bold and underline: each character typed over itself (or "_") with a backspace. */
function withoutOverstrike(text: string): string {
  return text.split("\b").reduce((acc, part) => acc.slice(0, -1) + part);
}
