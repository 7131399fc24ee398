/**
 * Shared by the tests that use vaultlink as a user gets it: `pnpm pack` of a package (which
 * rewrites workspace: ranges) and npm/pnpm run the way a user's shell runs them.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { CLI_DIR } from "../helpers.js";

const execFileP = promisify(execFile);

export const REPO = resolve(CLI_DIR, "../..");
/**
 * The pnpm to pack with: the one running this test when there is one (`pnpm test` sets
 * npm_execpath to its own entry point), else the repo's pinned launcher. Never `npx pnpm` from
 * inside a run that itself started through `npx pnpm` with npm's settings removed: that nested
 * npx waits for ever (seen in CI, where every pack then hit the hook's 600 s limit).
 */
const PNPM: [string, string[]] = /pnpm/i.test(process.env.npm_execpath ?? "")
  ? [process.execPath, [process.env.npm_execpath as string]]
  : ["bash", [join(REPO, "scripts/pnpm.sh")]];

/**
 * The environment of a user's shell for pnpm and npm: none of the npm_* variables of the pnpm
 * run this test may be in (they are npm configuration, and would change what npm does), nor
 * the variables of the vitest run it is in (a project's own `npm test` must not see them).
 */
export function toolEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !/^(npm_|VITEST|TINYPOOL)/i.test(k) && k !== "PNPM_SCRIPT_SRC_DIR",
    ),
  );
}

/** Run a tool; a failure or a hang names the command and shows the end of its output. */
export async function tool(
  file: string,
  args: string[],
  cwd: string,
  timeout: number,
): Promise<string> {
  try {
    const { stdout } = await execFileP(file, args, {
      cwd,
      env: toolEnv(),
      timeout,
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const e = error as { code?: unknown; signal?: unknown; stdout?: string; stderr?: string };
    throw new Error(
      `${file} ${args.join(" ")} failed (${String(e.code ?? e.signal)}): ${(e.stderr || e.stdout || "").slice(-2000)}`,
    );
  }
}

export interface Packed {
  name: string;
  dir: string;
  tarball: string;
  files: string[];
  manifest: Record<string, unknown>;
}

/** `pnpm pack` one package folder into `tarballs`; what it packed, read back from the tarball. */
export async function packOne(dir: string, tarballs: string): Promise<Packed> {
  const manifest = JSON.parse(await readFile(join(dir, "package.json"), "utf8")) as Record<
    string,
    unknown
  >;
  const before = new Set(await readdir(tarballs));
  await tool(PNPM[0], [...PNPM[1], "pack", "--pack-destination", tarballs], dir, 120_000);
  const tarball = (await readdir(tarballs)).find((f) => f.endsWith(".tgz") && !before.has(f));
  if (!tarball) throw new Error(`pnpm pack in ${dir} wrote no tarball.`);
  const path = join(tarballs, tarball);
  const files = (await tool("tar", ["-tzf", path], tarballs, 30_000))
    .split("\n")
    .filter((l) => l !== "" && !l.endsWith("/"))
    .map((l) => l.replace(/^package\//, ""));
  const packedManifest = await tool(
    "tar",
    ["-xzOf", path, "package/package.json"],
    tarballs,
    30_000,
  );
  return {
    name: String(manifest.name),
    dir,
    tarball: path,
    files,
    manifest: JSON.parse(packedManifest) as Record<string, unknown>,
  };
}

/** Every publishable package (the non-private ones under packages/), packed, by name order. */
export async function packAll(tarballs: string): Promise<Packed[]> {
  const packed: Packed[] = [];
  for (const entry of (await readdir(join(REPO, "packages"))).sort()) {
    const dir = join(REPO, "packages", entry);
    const manifestPath = join(dir, "package.json");
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(await readFile(manifestPath, "utf8")) as Record<string, unknown>;
    if (manifest.private === true) continue;
    packed.push(await packOne(dir, tarballs));
  }
  return packed;
}

/** Packages for plugin authors, not CLI users. */
export const AUTHOR_PACKAGES: readonly string[] = [
  "@vaultlink/create-provider",
  "@vaultlink/testkit",
];

/**
 * The tarballs a CLI user installs: the CLI and the @vaultlink packages its manifest depends on
 * (core, the providers, the vault screen). Not the plugin authors' packages, and not the other
 * tools (vaultlink-newman), which are installed on their own and would only slow this down.
 */
export function cliTarballs(packed: readonly Packed[]): string[] {
  const cli = packed.find((p) => p.name === "@vaultlink/cli");
  if (!cli) throw new Error("@vaultlink/cli was not packed.");
  const deps = Object.keys((cli.manifest.dependencies ?? {}) as Record<string, string>);
  const wanted = new Set(["@vaultlink/cli", ...deps.filter((d) => d.startsWith("@vaultlink/"))]);
  return packed
    .filter((p) => wanted.has(p.name) && !AUTHOR_PACKAGES.includes(p.name))
    .map((p) => p.tarball);
}

/** The packed tarball of one package; fails naming it when it was not packed. */
export function tarballOf(packed: readonly Packed[], name: string): string {
  const found = packed.find((p) => p.name === name);
  if (!found)
    throw new Error(`${name} was not packed (packed: ${packed.map((p) => p.name).join(", ")}).`);
  return found.tarball;
}

/**
 * `pnpm pack` one publishable package (by its name) and the @vaultlink packages it depends on,
 * following their manifests: what a user installs to get that package from tarballs.
 */
export async function packWithDependencies(name: string, tarballs: string): Promise<Packed[]> {
  const dirs = new Map<string, string>();
  for (const entry of await readdir(join(REPO, "packages"))) {
    const manifestPath = join(REPO, "packages", entry, "package.json");
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(await readFile(manifestPath, "utf8")) as { name?: string };
    if (manifest.name) dirs.set(manifest.name, join(REPO, "packages", entry));
  }
  const packed: Packed[] = [];
  const queue = [name];
  const seen = new Set<string>();
  while (queue.length > 0) {
    const next = queue.shift() as string;
    if (seen.has(next)) continue;
    seen.add(next);
    const dir = dirs.get(next);
    if (!dir) throw new Error(`${next} is not a package under packages/.`);
    const one = await packOne(dir, tarballs);
    packed.push(one);
    const deps = Object.keys((one.manifest.dependencies ?? {}) as Record<string, string>);
    queue.push(...deps.filter((d) => d.startsWith("@vaultlink/")));
  }
  return packed;
}
