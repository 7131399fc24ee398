import { readdirSync, readFileSync } from "node:fs";
import { isAbsolute, join, resolve as resolvePath } from "node:path";
import { pathToFileURL } from "node:url";
import { legacy, exports as resolveExports } from "resolve.exports";
import type { ProviderDefinition } from "../plugin/contract.js";
import { checkPluginPackage } from "./compat.js";
import type { PluginConfig, PluginEntry } from "./config.js";
import { findPackageDir } from "./package-dir.js";
import { hostCoreVersion, shareHostCore } from "./share-core.js";

/** The first-party providers, loaded by default. Their ids are known without importing. */
export const FIRST_PARTY: ReadonlyArray<{ name: string; id: string }> = [
  { name: "@vaultlink/provider-aws", id: "aws" },
  { name: "@vaultlink/provider-azure", id: "azure" },
  { name: "@vaultlink/provider-hashicorp", id: "hashicorp" },
  { name: "@vaultlink/provider-1password", id: "1password" },
];

export interface PluginCandidate {
  /** As written: a package name or a path. */
  spec: string;
  /** Where it came from: "default", "config" or "discovered". */
  origin: "default" | "config" | "discovered";
  /** Resolved file URL of the module, when resolution worked. */
  url?: string;
  /** Id known before import (package.json "vaultlink".id, or first-party). */
  id?: string;
  options: Record<string, unknown>;
  /** A first-party package resolved only when imported (keeps start-up free of file probing). */
  deferred?: boolean;
}

export interface LoadedPlugin {
  id: string;
  name: string;
  version: string;
  spec: string;
  origin: PluginCandidate["origin"];
  definition: ProviderDefinition;
}

export interface PluginProblem {
  spec: string;
  /** The provider id, when known (package.json "vaultlink".id, or the export's id). */
  id?: string;
  origin: PluginCandidate["origin"];
  kind: "incompatible" | "broken";
  reason: string;
  hint?: string;
}

interface PackageMeta {
  role?: unknown;
  apiVersion?: unknown;
  id?: unknown;
}

/**
 * The file a package's own import (`import "name"`) loads, as Node resolves it: its "exports"
 * map with the import and node conditions (nested ones too, by a maintained resolver), else
 * "module", "main", then index.js.
 */
function packageEntry(pkg: Record<string, unknown>): string | { error: string } {
  if (pkg.exports === undefined)
    return legacy(pkg, { browser: false, fields: ["module", "main"] }) ?? "index.js";
  try {
    const found = resolveExports(pkg, ".", { conditions: ["import", "node"] })?.[0];
    if (found !== undefined) return found;
  } catch {
    // No "." entry for these conditions: reported below.
  }
  return {
    error: `the package ${String(pkg.name)} exports no entry that Node can import (its package.json "exports" has no "." for import or node)`,
  };
}

function readJson(file: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

export interface PluginHost {
  /**
   * A file URL inside the host's package (its `import.meta.url`): first-party providers are
   * looked up from there (the host's own dependencies), and every plugin is given the
   * `@vaultlink/core` the host resolves from there (decision 0011).
   */
  anchor: string;
}

/**
 * Finds provider plugins and imports them only when asked, for any host (the `vaultlink` CLI,
 * vaultlink-newman): the config file's plugins, discovered packages and the first-party
 * providers. Nothing here imports a plugin until `load(ids)` names its id (or its id is
 * unknown without importing, as for a path). Failures are collected, never thrown.
 */
export class PluginRegistry {
  readonly candidates: PluginCandidate[] = [];
  readonly problems: PluginProblem[] = [];
  #loaded = new Map<string, LoadedPlugin>();
  #attempted = new Set<PluginCandidate>();
  #hostCore: string | undefined | null = null;

  constructor(
    protected readonly config: PluginConfig,
    protected readonly host: PluginHost,
  ) {
    // First-party ids are known, so their packages are looked up only when one is imported.
    for (const fp of FIRST_PARTY) {
      this.candidates.push({
        spec: fp.name,
        origin: "default",
        id: fp.id,
        options: {},
        deferred: true,
      });
    }
    for (const entry of config.plugins) this.#addEntry(entry);
    if (config.discover) this.#discover();
  }

  #addEntry(entry: PluginEntry): void {
    const [spec, options] = typeof entry === "string" ? [entry, {}] : entry;
    if (spec.startsWith(".") || isAbsolute(spec)) {
      const file = resolvePath(this.config.dir, spec);
      this.candidates.push({ spec, origin: "config", url: pathToFileURL(file).href, options });
      return;
    }
    const existing = this.candidates.find((c) => c.spec === spec);
    if (existing) {
      existing.options = options;
      return;
    }
    this.#addPackage(spec, "config", options);
  }

  /**
   * Resolve a package from the plugins folder (`plugins install`), then the config file's
   * folder, then the CLI's own dependencies. Reads package.json from the package's folder, so
   * an `exports` map without "./package.json" does not hide a plugin.
   */
  #resolvePackage(
    name: string,
  ):
    | { url: string; meta: PackageMeta | undefined; pkg: Record<string, unknown> }
    | { error: string } {
    const dir = findPackageDir(name, [
      join(this.config.pluginsDir, "noop.js"),
      join(this.config.dir, "noop.js"),
      this.host.anchor,
    ]);
    const pkg = dir ? readJson(join(dir, "package.json")) : undefined;
    if (!dir || !pkg) {
      return {
        error: `the package ${name} is not installed in ${this.config.pluginsDir}, next to ${this.config.file} or with vaultlink`,
      };
    }
    const entry = packageEntry(pkg);
    if (typeof entry !== "string") return entry;
    return {
      url: pathToFileURL(join(dir, entry)).href,
      meta: pkg.vaultlink as PackageMeta | undefined,
      pkg,
    };
  }

  #addPackage(
    name: string,
    origin: PluginCandidate["origin"],
    options: Record<string, unknown>,
    knownId?: string,
  ): void {
    const found = this.#checkPackage(name, origin);
    if (!found) return;
    const id = typeof found.meta?.id === "string" ? found.meta.id : knownId;
    this.candidates.push({ spec: name, origin, url: found.url, options, ...(id ? { id } : {}) });
  }

  /** Resolve a package and check its declared API version; problems are recorded. */
  #checkPackage(
    name: string,
    origin: PluginCandidate["origin"],
  ): { url: string; meta: PackageMeta | undefined } | undefined {
    const found = this.#resolvePackage(name);
    if ("error" in found) {
      this.problems.push({
        spec: name,
        origin,
        kind: "broken",
        reason: found.error,
        hint: `Install it: vaultlink plugins install ${name}`,
      });
      return undefined;
    }
    if (this.#hostCore === null) this.#hostCore = hostCoreVersion(this.host.anchor);
    const problem = checkPluginPackage(name, found.pkg, this.#hostCore);
    if (problem) {
      const id = typeof found.meta?.id === "string" ? found.meta.id : undefined;
      this.problems.push({ spec: name, origin, ...(id ? { id } : {}), ...problem });
      return undefined;
    }
    return found;
  }

  /** Packages in node_modules next to the config whose package.json says they are providers. */
  #discover(): void {
    const root = join(this.config.dir, "node_modules");
    const dirs: string[] = [];
    let top: string[] = [];
    try {
      top = readdirSync(root);
    } catch {
      return;
    }
    for (const d of top) {
      if (d.startsWith(".")) continue;
      if (d.startsWith("@")) {
        try {
          for (const s of readdirSync(join(root, d))) dirs.push(`${d}/${s}`);
        } catch {
          /* unreadable scope */
        }
      } else dirs.push(d);
    }
    for (const name of dirs) {
      const pkg = readJson(join(root, name, "package.json"));
      const meta = pkg?.vaultlink as PackageMeta | undefined;
      if (meta?.role !== "provider") continue;
      if (this.candidates.some((c) => c.spec === name)) continue;
      this.#addPackage(name, "discovered", {});
    }
  }

  /** Ids known without importing anything. */
  knownIds(): string[] {
    return [
      ...new Set(this.candidates.map((c) => c.id).filter((id): id is string => id !== undefined)),
    ];
  }

  /**
   * Import the plugins for these ids (all when undefined) plus every plugin whose id is
   * unknown until imported. Returns every plugin loaded so far.
   */
  async load(ids?: readonly string[]): Promise<LoadedPlugin[]> {
    const wanted = this.candidates.filter(
      (c) =>
        !this.#attempted.has(c) && (ids === undefined || c.id === undefined || ids.includes(c.id)),
    );
    const imports = () => Promise.all(wanted.map((c) => this.#import(c)));
    // Node's own warnings about a plugin's module format would print raw; the problem is
    // reported (CommonJS) or harmless (ESM in a folder without "type"), so they are dropped.
    if (wanted.some((c) => c.origin !== "default")) await withoutModuleFormatWarnings(imports);
    else await imports();
    return this.loaded();
  }

  loaded(): LoadedPlugin[] {
    return [...this.#loaded.values()];
  }

  pluginOptions(): Record<string, Record<string, unknown>> {
    const out: Record<string, Record<string, unknown>> = {};
    for (const p of this.#loaded.values()) {
      const c = this.candidates.find((x) => x.spec === p.spec);
      if (c && Object.keys(c.options).length > 0) out[p.id] = c.options;
    }
    return out;
  }

  async #import(c: PluginCandidate): Promise<void> {
    this.#attempted.add(c);
    if (c.deferred && !c.url) {
      const found = this.#checkPackage(c.spec, c.origin);
      if (!found) return;
      c.url = found.url;
    }
    if (!c.url) return;
    // Third-party plugins import the host's core, whatever they have installed beside them.
    if (c.origin !== "default") shareHostCore(this.host.anchor);
    let mod: unknown;
    try {
      mod = await import(c.url);
    } catch (error) {
      const e = error as NodeJS.ErrnoException;
      this.problems.push({
        spec: c.spec,
        origin: c.origin,
        kind: "broken",
        ...importProblem(e, c, this.config.dir),
      });
      return;
    }
    try {
      const { validateProvider } = await import("../plugin/validate.js");
      const def = validateProvider(mod, c.spec);
      if (c.id !== undefined && def.id !== c.id) {
        throw Object.assign(
          new Error(`its package.json says id "${c.id}" but the provider's id is "${def.id}"`),
          {
            code: "PLUGIN_INVALID",
            hint: `Make them agree: set "vaultlink": { "id": "${def.id}" } in ${c.spec}'s package.json, or change the id passed to defineProvider.`,
          },
        );
      }
      const clash = this.#loaded.get(def.id);
      // A configured plugin may replace a first-party one with the same id; otherwise the
      // first one loaded wins and the other is reported.
      if (clash && !(clash.origin === "default" && c.origin !== "default")) {
        if (c.origin === "default") return;
        this.problems.push({
          spec: c.spec,
          origin: c.origin,
          kind: "broken",
          reason: `provider id "${def.id}" is already provided by ${clash.spec}`,
          hint: "Remove one of them from the config.",
        });
        return;
      }
      this.#loaded.set(def.id, {
        id: def.id,
        name: def.meta.name,
        version: def.meta.version,
        spec: c.spec,
        origin: c.origin,
        definition: def,
      });
    } catch (error) {
      const e = error as { code?: string; message: string; hint?: string };
      this.problems.push({
        spec: c.spec,
        origin: c.origin,
        ...(c.id ? { id: c.id } : {}),
        kind: e.code === "PLUGIN_INCOMPATIBLE" ? "incompatible" : "broken",
        reason: firstLine(e.message).replace(/\.$/, ""),
        ...(e.hint ? { hint: e.hint } : {}),
      });
    }
  }
}

const MODULE_FORMAT_WARNING =
  /Failed to load the ES module|To load an ES module|Reparsing as ES module|MODULE_TYPELESS_PACKAGE_JSON/;

/** Run `fn` with Node's module-format warnings dropped; every other warning goes through. */
async function withoutModuleFormatWarnings<T>(fn: () => Promise<T>): Promise<T> {
  const saved = process.listeners("warning");
  process.removeAllListeners("warning");
  const relay = (w: Error & { code?: string }) => {
    if (MODULE_FORMAT_WARNING.test(`${w.code ?? ""} ${w.message}`)) return;
    for (const l of saved) l(w);
  };
  process.on("warning", relay);
  try {
    return await fn();
  } finally {
    // Warnings are emitted on a later tick than the import that caused them.
    await new Promise((r) => setImmediate(r));
    process.off("warning", relay);
    for (const l of saved) process.on("warning", l);
  }
}

/** Why importing a plugin failed, and what to do, in the user's terms. */
function importProblem(
  e: NodeJS.ErrnoException,
  c: PluginCandidate,
  configDir: string,
): { reason: string; hint: string } {
  const isPath = c.spec.startsWith(".") || isAbsolute(c.spec);
  const file = c.url?.startsWith("file:") ? decodeURIComponent(new URL(c.url).pathname) : c.spec;
  if (e.code === "ERR_MODULE_NOT_FOUND" && isPath && e.message.includes(file))
    return {
      reason: `the file ${file} does not exist`,
      hint: `Paths resolve from the config file's directory (${configDir}).`,
    };
  // A CommonJS file (no "type": "module" above it) that uses import/export.
  if (
    e.name === "SyntaxError" &&
    /Unexpected token 'export'|Cannot use import statement outside a module/.test(e.message)
  )
    return {
      reason: `${file} is CommonJS, but a plugin must be an ES module`,
      hint: 'Plugins must be ESM: add "type": "module" to the nearest package.json, or name the file .mjs.',
    };
  if (e.code === "ERR_MODULE_NOT_FOUND")
    return {
      reason: `importing it failed: ${firstLine(e.message)}`,
      hint: `A package it imports is missing: reinstall it (vaultlink plugins install ${isPath ? file : c.spec}) or install its dependencies.`,
    };
  return {
    reason: `importing it failed: ${firstLine(e.message)}`,
    hint: isPath
      ? `Paths resolve from the config file's directory (${configDir}).`
      : `Reinstall it: vaultlink plugins install ${c.spec}`,
  };
}

function firstLine(text: string): string {
  return text.split("\n", 1)[0] ?? text;
}
