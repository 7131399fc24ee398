import { resolve } from "node:path";
import { checkPluginPackage, hostCoreVersion } from "@vaultlink/core";
import type { Command } from "commander";
import { CliError, ExitCode } from "../errors.js";
import { err, out, printJson, table } from "../io/term.js";
import { type CliConfig, entrySpec, loadConfig, updateConfigPlugins } from "../plugins/config.js";
import { absoluteIfPath, PluginsFolder, registryName } from "../plugins/folder.js";
import { CLI_ANCHOR, type LoadedPlugin, PluginRegistry } from "../plugins/registry.js";
import type { Opts } from "./common.js";

export async function list(opts: Opts, _cmd: Command): Promise<void> {
  const config = loadConfig();
  const registry = new PluginRegistry(config);
  const loaded = await registry.load();
  const folder = new PluginsFolder(config.pluginsDir);
  const enabled = new Set(config.plugins.map(entrySpec));
  const result = {
    config: {
      file: config.file,
      exists: config.exists,
      discover: config.discover,
      pluginsDir: config.pluginsDir,
    },
    loaded: loaded.map((p) => ({
      id: p.id,
      name: p.name,
      version: p.version,
      origin: p.origin,
      spec: p.spec,
      title: p.definition.title,
      authMethods: p.definition.authMethods.map((m) => m.id),
    })),
    installed: Object.keys(folder.dependencies()).map((name) => {
      const pkg = folder.installedPackage(name);
      const meta = pkg?.vaultlink as { id?: unknown } | undefined;
      return {
        name,
        version: typeof pkg?.version === "string" ? pkg.version : null,
        id: typeof meta?.id === "string" ? meta.id : null,
        enabled: enabled.has(name),
      };
    }),
    incompatible: registry.problems.filter((p) => p.kind === "incompatible"),
    broken: registry.problems.filter((p) => p.kind === "broken"),
  };
  if (opts.json === true) return printJson(result);
  out(`config: ${config.file}${config.exists ? "" : " (none; using the first-party providers)"}`);
  out("");
  out(
    table(
      result.loaded.map((p) => [p.id, `${p.name}@${p.version}`, p.origin, p.authMethods.join(",")]),
      ["LOADED", "PACKAGE", "FROM", "AUTH METHODS"],
    ),
  );
  if (result.installed.length > 0) {
    out("");
    out(`INSTALLED in ${config.pluginsDir}:`);
    for (const p of result.installed)
      out(`  ${p.name}@${p.version ?? "?"}${p.enabled ? "" : " (not enabled in the config)"}`);
  }
  for (const kind of ["incompatible", "broken"] as const) {
    const list = result[kind];
    if (list.length === 0) continue;
    out("");
    out(`${kind.toUpperCase()}:`);
    for (const p of list)
      out(`  ${p.spec} (${p.origin}): ${p.reason}${p.hint ? `\n    fix: ${p.hint}` : ""}`);
  }
}

/** The config as it is now, refusing to manage plugins through a config that cannot be read. */
function managedConfig(): CliConfig {
  return loadConfig();
}

/**
 * Check an installed package before it is enabled: its package.json (contract version, core
 * range, provider role), then import and validate it with the host's core. Returns the loaded
 * plugin or throws a CliError saying why not.
 */
async function verify(
  config: CliConfig,
  folder: PluginsFolder,
  name: string,
): Promise<LoadedPlugin> {
  const pkg = folder.installedPackage(name);
  if (!pkg)
    throw new CliError(`npm reported success, but ${name} is not in ${folder.dir}/node_modules.`, {
      exitCode: ExitCode.other,
      code: "PLUGIN_INVALID",
    });
  const problem = checkPluginPackage(name, pkg, hostCoreVersion(CLI_ANCHOR), { strict: true });
  if (problem)
    throw new CliError(`${name}@${String(pkg.version)} cannot be enabled: ${problem.reason}.`, {
      hint: problem.hint,
      exitCode: ExitCode.other,
      code: problem.kind === "incompatible" ? "PLUGIN_INCOMPATIBLE" : "PLUGIN_INVALID",
    });
  const trial: CliConfig = {
    ...config,
    plugins: [...config.plugins.filter((e) => entrySpec(e) !== name), name],
  };
  const registry = new PluginRegistry(trial);
  const id = (pkg.vaultlink as { id?: unknown }).id;
  await registry.load(typeof id === "string" ? [id] : undefined);
  const loaded = registry.loaded().find((p) => p.spec === name);
  const failed = registry.problems.find((p) => p.spec === name);
  if (!loaded || failed)
    throw new CliError(
      `${name}@${String(pkg.version)} cannot be enabled: ${failed?.reason ?? "it did not load"}.`,
      {
        ...(failed?.hint ? { hint: failed.hint } : {}),
        exitCode: ExitCode.other,
        code: failed?.kind === "incompatible" ? "PLUGIN_INCOMPATIBLE" : "PLUGIN_INVALID",
      },
    );
  return loaded;
}

/** Which dependency an install added or changed. */
function installedName(
  before: Record<string, string>,
  after: Record<string, string>,
  spec: string,
  dir: string,
): string | undefined {
  const changed = Object.keys(after).filter((k) => before[k] !== after[k]);
  if (changed.length === 1) return changed[0];
  const candidates = changed.length > 1 ? changed : Object.keys(after);
  if (spec.startsWith("/") || /^[A-Za-z]:[\\/]/.test(spec)) {
    return candidates.find((k) => {
      const v = after[k] ?? "";
      return v.startsWith("file:") && resolve(dir, v.slice(5)) === spec;
    });
  }
  const name = registryName(spec);
  return candidates.includes(name) ? name : undefined;
}

export async function install(spec: string, opts: Opts, _cmd: Command): Promise<void> {
  const config = managedConfig();
  const folder = new PluginsFolder(config.pluginsDir);
  folder.ensure();
  const target = absoluteIfPath(spec, process.cwd());
  const before = folder.dependencies();
  const snap = folder.snapshot();
  if (opts.json !== true) err(`Installing ${spec} with npm into ${folder.dir} …`);
  await folder.npm(["install", "--save", target], { scripts: opts.allowScripts === true });
  const name = installedName(before, folder.dependencies(), target, folder.dir);
  let loaded: LoadedPlugin;
  try {
    if (!name)
      throw new CliError(`Could not tell which package npm installed for ${spec}.`, {
        hint: `Install it by its package name, or look in ${folder.manifestFile}.`,
        exitCode: ExitCode.other,
        code: "PLUGIN_INVALID",
      });
    loaded = await verify(config, folder, name);
  } catch (error) {
    // Put the folder back as it was; the config was never touched.
    await folder.restore(snap).catch(() => undefined);
    throw error;
  }
  const already = config.plugins.some((e) => entrySpec(e) === loaded.spec);
  if (!already) updateConfigPlugins(config, (plugins) => [...plugins, loaded.spec]);
  const result = {
    installed: {
      name: loaded.name,
      version: loaded.version,
      id: loaded.id,
      title: loaded.definition.title,
    },
    config: config.file,
    pluginsDir: folder.dir,
  };
  if (opts.json === true) return printJson(result);
  out(
    `Installed ${loaded.name}@${loaded.version}: provider "${loaded.id}" (${loaded.definition.title}), enabled in ${config.file}.`,
  );
  out(`Connect it: vaultlink integration connect ${loaded.id}`);
}

/** The installed package for a name or a provider id. */
function findInstalled(folder: PluginsFolder, nameOrId: string): string | undefined {
  const deps = Object.keys(folder.dependencies());
  if (deps.includes(nameOrId)) return nameOrId;
  return deps.find((n) => {
    const meta = folder.installedPackage(n)?.vaultlink as { id?: unknown } | undefined;
    return meta?.id === nameOrId;
  });
}

export async function uninstall(nameOrId: string, opts: Opts, _cmd: Command): Promise<void> {
  const config = managedConfig();
  const folder = new PluginsFolder(config.pluginsDir);
  const name = findInstalled(folder, nameOrId);
  if (!name)
    throw new CliError(`No plugin ${JSON.stringify(nameOrId)} is installed in ${folder.dir}.`, {
      hint: "`vaultlink plugins list` shows installed plugins; a path plugin is removed from config.json by hand.",
      exitCode: ExitCode.other,
      code: "NOT_FOUND",
    });
  const version = folder.installedPackage(name)?.version;
  // Disable first: if npm then fails, the plugin is at worst left on disk, never half-loaded.
  if (config.plugins.some((e) => entrySpec(e) === name))
    updateConfigPlugins(config, (plugins) => plugins.filter((e) => entrySpec(e) !== name));
  await folder.npm(["uninstall", "--save", name]);
  const result = { uninstalled: { name, version: version ?? null }, config: config.file };
  if (opts.json === true) return printJson(result);
  out(`Uninstalled ${name}${typeof version === "string" ? `@${version}` : ""}.`);
}

export async function update(names: string[], opts: Opts, _cmd: Command): Promise<void> {
  const config = managedConfig();
  const folder = new PluginsFolder(config.pluginsDir);
  const all = Object.keys(folder.dependencies());
  const wanted = names.map((n) => findInstalled(folder, n) ?? n);
  const unknown = wanted.filter((n) => !all.includes(n));
  if (unknown.length > 0)
    throw new CliError(`Not installed: ${unknown.join(", ")}.`, {
      hint: "`vaultlink plugins list` shows installed plugins; install one with `vaultlink plugins install <name>`.",
      exitCode: ExitCode.other,
      code: "NOT_FOUND",
    });
  const targets = wanted.length > 0 ? wanted : all;
  const versions = (ns: string[]) =>
    Object.fromEntries(ns.map((n) => [n, folder.installedPackage(n)?.version ?? null]));
  const before = versions(targets);
  const snap = folder.snapshot();
  if (targets.length > 0) {
    if (opts.json !== true) err(`Updating ${targets.join(", ")} with npm …`);
    await folder.npm(["update", "--save", ...targets], { scripts: opts.allowScripts === true });
    try {
      const enabled = new Set(config.plugins.map(entrySpec));
      for (const n of targets) if (enabled.has(n)) await verify(config, folder, n);
    } catch (error) {
      await folder.restore(snap).catch(() => undefined);
      if (error instanceof CliError)
        throw new CliError(`${error.message} The update was undone.`, {
          ...(error.hint ? { hint: error.hint } : {}),
          exitCode: error.exitCode,
          code: error.code,
        });
      throw error;
    }
  }
  const after = versions(targets);
  const result = {
    updated: targets.map((n) => ({ name: n, from: before[n], to: after[n] })),
  };
  if (opts.json === true) return printJson(result);
  if (targets.length === 0) return out("No plugins are installed.");
  for (const u of result.updated)
    out(
      u.from === u.to
        ? `${u.name}@${String(u.to)}: already the newest its range allows`
        : `${u.name}: ${String(u.from)} → ${String(u.to)}`,
    );
}
