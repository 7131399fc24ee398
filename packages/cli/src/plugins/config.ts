import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { CliError, ExitCode } from "../errors.js";
import { vaultHome } from "../home.js";

export type PluginEntry = string | [string, Record<string, unknown>];

export interface CliConfig {
  /** The config file (whether or not it exists). */
  file: string;
  /** Directory the config's relative paths and node_modules resolve from. */
  dir: string;
  exists: boolean;
  plugins: PluginEntry[];
  discover: boolean;
}

/** `config.json` in VAULTLINK_HOME, or VAULTLINK_CONFIG. A missing file means defaults. */
export function loadConfig(): CliConfig {
  const file = process.env.VAULTLINK_CONFIG?.trim()
    ? resolve(process.env.VAULTLINK_CONFIG.trim())
    : join(vaultHome(), "config.json");
  const base: CliConfig = { file, dir: dirname(file), exists: false, plugins: [], discover: false };
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return base;
    throw configError(file, (error as Error).message);
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

function configError(file: string, why: string): CliError {
  return new CliError(`The config file ${file} cannot be used: ${why}.`, {
    hint: 'Expected { "plugins": ["name" | "./path.js" | ["name", {options}]], "discover": false }.',
    exitCode: ExitCode.usage,
    code: "CONFIG_INVALID",
  });
}
