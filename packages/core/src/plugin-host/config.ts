import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { VaultlinkError } from "../errors/vaultlink-error.js";

/** A plugin entry of config.json: a package name or path, optionally with options. */
export type PluginEntry = string | [string, Record<string, unknown>];

/** The plugin part of a host's config.json (the `vaultlink` CLI and vaultlink-newman share it). */
export interface PluginConfig {
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

const KNOWN_KEYS = ["plugins", "discover", "$schema"];

/** The config file: VAULTLINK_CONFIG when set, else `config.json` in the vault directory. */
export function pluginConfigFile(vaultDir: string): string {
  const fromEnv = process.env.VAULTLINK_CONFIG?.trim();
  return fromEnv ? resolve(fromEnv) : join(vaultDir, "config.json");
}

/** The config when the file is missing (or unusable): first-party providers only. */
export function defaultPluginConfig(file: string): PluginConfig {
  return {
    file,
    dir: dirname(file),
    exists: false,
    pluginsDir: join(dirname(file), "plugins"),
    plugins: [],
    discover: false,
  };
}

function configError(file: string, why: string, fix?: string): VaultlinkError {
  return new VaultlinkError("CONFIG_INVALID", `The config file ${file} cannot be used: ${why}.`, {
    hint:
      fix ??
      `Fix ${file}: expected { "plugins": ["name" | "./path.js" | ["name", {options}]], "discover": false }.`,
  });
}

/** The config file's text checked and read; a problem is a CONFIG_INVALID error naming the fix. */
export function parsePluginConfig(file: string, text: string): PluginConfig {
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
    ...defaultPluginConfig(file),
    exists: true,
    plugins: plugins as PluginEntry[],
    discover: v.discover === true,
  };
}

/**
 * Read the config file: missing means defaults; unreadable (other than missing) is thrown as
 * the file system reported it; a bad file is a CONFIG_INVALID error.
 */
export function readPluginConfig(file: string): PluginConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return defaultPluginConfig(file);
    throw error;
  }
  return parsePluginConfig(file, text);
}
