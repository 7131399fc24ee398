import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, rmdir, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { apiKeyEnv, tarballPrefix } from "./names.js";
import { type TemplateVersions, templateVersions } from "./versions.js";

export interface ProjectSpec {
  /** Provider id (`acme-kv`). */
  id: string;
  /** npm package name (`vaultlink-provider-acme-kv`). */
  packageName: string;
  /** Display title ("Acme KV"). */
  title: string;
  /** The folder to create; must not exist, or be empty. */
  target: string;
}

/** Raised for a target that cannot be used; the CLI prints it without a stack. */
export class ScaffoldError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = "ScaffoldError";
  }
}

export const TEMPLATE_DIR = fileURLToPath(new URL("../template/", import.meta.url));

/** Template files whose stored name differs from the written one (npm drops .gitignore). */
const RENAMED: Record<string, string> = { gitignore: ".gitignore" };

/**
 * Write a new provider project into `spec.target`: the template with the names filled in, and
 * a package.json with this release's versions. Written into a fresh folder beside the target
 * and renamed into place, so a failure leaves no half-written project behind.
 */
export async function scaffold(
  spec: ProjectSpec,
  versions: TemplateVersions = templateVersions(),
): Promise<string[]> {
  await assertUsableTarget(spec.target);
  const parent = dirname(spec.target);
  await mkdir(parent, { recursive: true });
  // mkdir, not mkdtemp: the project folder gets the user's usual permissions (umask).
  const staging = join(parent, `.${basename(spec.target)}-${randomBytes(6).toString("hex")}`);
  await mkdir(staging);
  try {
    const written: string[] = [];
    for (const file of await listFiles(TEMPLATE_DIR)) {
      const to = RENAMED[file] ?? file;
      const text = fill(await readFile(join(TEMPLATE_DIR, file), "utf8"), spec);
      await mkdir(dirname(join(staging, to)), { recursive: true });
      await writeFile(join(staging, to), text);
      written.push(to);
    }
    await writeFile(
      join(staging, "package.json"),
      `${JSON.stringify(manifest(spec, versions), null, 2)}\n`,
    );
    written.push("package.json");
    // An empty target folder is replaced; anything else was refused above.
    if (existsSync(spec.target)) await rmdir(spec.target);
    await rename(staging, spec.target);
    return written.sort();
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

async function assertUsableTarget(target: string): Promise<void> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  if (!info.isDirectory()) {
    throw new ScaffoldError(`${target} exists and is not a folder.`, "Choose another folder name.");
  }
  const entries = await readdir(target);
  if (entries.length > 0) {
    throw new ScaffoldError(
      `The folder ${target} is not empty (${entries.length} ${entries.length === 1 ? "entry" : "entries"}); nothing was written.`,
      "Choose a new folder name, or empty that folder first.",
    );
  }
}

/** Relative paths of every file under `dir`, with '/' separators. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split("\\").join("/"))
    .sort();
}

function fill(text: string, spec: ProjectSpec): string {
  return text
    .replaceAll("__PROVIDER_ID__", spec.id)
    .replaceAll("__PROVIDER_TITLE__", spec.title)
    .replaceAll("__PACKAGE_NAME__", spec.packageName)
    .replaceAll("__TARBALL_PREFIX__", tarballPrefix(spec.packageName))
    .replaceAll("__API_KEY_ENV__", apiKeyEnv(spec.id));
}

/** The generated package.json: publishable, with changesets-friendly fields. */
export function manifest(spec: ProjectSpec, versions: TemplateVersions): Record<string, unknown> {
  return {
    name: spec.packageName,
    version: "0.1.0",
    description: `vaultlink provider plugin: ${spec.title}.`,
    type: "module",
    license: "MIT",
    keywords: ["vaultlink", "vaultlink-provider"],
    engines: { node: versions.node },
    exports: {
      ".": { types: "./dist/index.d.ts", import: "./dist/index.js" },
      "./package.json": "./package.json",
    },
    main: "./dist/index.js",
    types: "./dist/index.d.ts",
    files: ["dist", "README.md"],
    scripts: {
      build: "tsc -p tsconfig.build.json",
      typecheck: "tsc -p tsconfig.json",
      test: "vitest run",
      prepack: "npm run build",
    },
    vaultlink: { role: "provider", apiVersion: 1, id: spec.id },
    peerDependencies: { "@vaultlink/core": versions.corePeerRange },
    devDependencies: versions.devDependencies,
    ...(spec.packageName.startsWith("@") ? { publishConfig: { access: "public" } } : {}),
  };
}
