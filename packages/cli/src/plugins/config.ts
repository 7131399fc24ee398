import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { CliError, ExitCode } from "../errors.js";
import { vaultHome } from "../home.js";
import { homeProblem, osError } from "../os-errors.js";

export type PluginEntry = string | [string, Record<string, unknown>];

export interface CliConfig {
  /** The config file (whether or not it exists). */
  file: string;
  /** Directory the config's relative paths and node_modules resolve from. */
  dir: string;
  exists: boolean;
  /** Where `vaultlink plugins install` keeps plugins: a folder with its own package.json. */
  pluginsDir: string;
  plugins: PluginEntry[];
  discover: boolean;
}

/** `config.json` in VAULTLINK_HOME, or VAULTLINK_CONFIG. A missing file means defaults. */
export function loadConfig(): CliConfig {
  const file = process.env.VAULTLINK_CONFIG?.trim()
    ? resolve(process.env.VAULTLINK_CONFIG.trim())
    : join(vaultHome(), "config.json");
  const base: CliConfig = {
    file,
    dir: dirname(file),
    exists: false,
    pluginsDir: join(dirname(file), "plugins"),
    plugins: [],
    discover: false,
  };
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return base;
    // VAULTLINK_HOME pointing at a file is not a config problem: say what it is.
    if (code === "ENOTDIR") throw homeProblem() ?? osError(error) ?? error;
    throw osError(error) ?? configError(file, (error as Error).message);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw configError(file, "it is not valid JSON");
  }
  if (!value || typeof value !== "object" || Array.isArray(value))
    throw configError(file, "it must be a JSON object");
  const v = value as Record<string, unknown>;
  for (const key of Object.keys(v)) {
    if (KNOWN_KEYS.includes(key)) continue;
    const near = KNOWN_KEYS.find((k) => k.startsWith(key) || key.startsWith(k));
    throw configError(
      file,
      `the key ${JSON.stringify(key)} is not a config key`,
      near
        ? `Rename ${JSON.stringify(key)} to ${JSON.stringify(near)}.`
        : `Remove it; the keys are ${KNOWN_KEYS.map((k) => JSON.stringify(k)).join(", ")}.`,
    );
  }
  const plugins = v.plugins ?? [];
  if (!Array.isArray(plugins)) throw configError(file, '"plugins" must be an array');
  for (const p of plugins) {
    const ok =
      typeof p === "string" ||
      (Array.isArray(p) &&
        p.length === 2 &&
        typeof p[0] === "string" &&
        p[1] &&
        typeof p[1] === "object" &&
        !Array.isArray(p[1]));
    if (!ok)
      throw configError(
        file,
        `plugin entry ${JSON.stringify(p)} must be "name", "./path.js" or ["name", {options}]`,
      );
  }
  if (v.discover !== undefined && typeof v.discover !== "boolean")
    throw configError(file, '"discover" must be true or false');
  return {
    ...base,
    exists: true,
    plugins: plugins as PluginEntry[],
    discover: v.discover === true,
  };
}

/**
 * The config for commands that use the vault: a config file that cannot be used is reported as
 * a warning and only the first-party providers load, so local secrets stay readable. The
 * commands that manage plugins use loadConfig() and refuse instead.
 */
export function loadConfigOrDefaults(warn: (text: string) => void): CliConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof CliError) || error.code !== "CONFIG_INVALID") throw error;
    warn(
      `warning: ${error.message} Its plugins are not loaded; first-party providers and local secrets work.${error.hint ? `\nhint: ${error.hint}` : ""}`,
    );
    const file = process.env.VAULTLINK_CONFIG?.trim()
      ? resolve(process.env.VAULTLINK_CONFIG.trim())
      : join(vaultHome(), "config.json");
    return {
      file,
      dir: dirname(file),
      exists: true,
      pluginsDir: join(dirname(file), "plugins"),
      plugins: [],
      discover: false,
    };
  }
}

const KNOWN_KEYS = ["plugins", "discover", "$schema"];

function configError(file: string, why: string, fix?: string): CliError {
  return new CliError(`The config file ${file} cannot be used: ${why}.`, {
    hint:
      fix ??
      `Fix ${file}: expected { "plugins": ["name" | "./path.js" | ["name", {options}]], "discover": false }.`,
    exitCode: ExitCode.usage,
    code: "CONFIG_INVALID",
  });
}

/**
 * Change the "plugins" list of the config file, keeping its other keys; creates the file when
 * missing. Written to a temporary file and renamed over, so a crash leaves the old or the new
 * file, never half of one.
 */
export function updateConfigPlugins(
  config: CliConfig,
  change: (plugins: PluginEntry[]) => PluginEntry[],
): void {
  let doc: Record<string, unknown> = {};
  if (config.exists) doc = JSON.parse(readFileSync(config.file, "utf8")) as Record<string, unknown>;
  doc.plugins = change([...config.plugins]);
  mkdirSync(config.dir, { recursive: true, mode: 0o700 });
  const tmp = `${config.file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600, flush: true });
    renameSync(tmp, config.file);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
  config.plugins = doc.plugins as PluginEntry[];
  config.exists = true;
}

/** The package name (or path) a config entry names. */
export function entrySpec(entry: PluginEntry): string {
  return typeof entry === "string" ? entry : entry[0];
}
