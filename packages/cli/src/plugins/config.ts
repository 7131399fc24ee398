import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import {
  defaultPluginConfig,
  type PluginConfig,
  type PluginEntry,
  parsePluginConfig,
  pluginConfigFile,
  VaultlinkError,
} from "@vaultlink/core";
import { CliError, ExitCode } from "../errors.js";
import { vaultHome } from "../home.js";
import { homeProblem, osError } from "../os-errors.js";

export type { PluginEntry } from "@vaultlink/core";
export type CliConfig = PluginConfig;

/** `config.json` in VAULTLINK_HOME, or VAULTLINK_CONFIG. A missing file means defaults. */
export function loadConfig(): CliConfig {
  const file = pluginConfigFile(vaultHome());
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return defaultPluginConfig(file);
    // VAULTLINK_HOME pointing at a file is not a config problem: say what it is.
    if (code === "ENOTDIR") throw homeProblem() ?? osError(error) ?? error;
    throw osError(error) ?? configError(file, (error as Error).message);
  }
  try {
    return parsePluginConfig(file, text);
  } catch (error) {
    if (error instanceof VaultlinkError && error.code === "CONFIG_INVALID")
      throw new CliError(error.message, {
        ...(error.hint ? { hint: error.hint } : {}),
        exitCode: ExitCode.usage,
        code: "CONFIG_INVALID",
      });
    throw error;
  }
}

/**
 * The config for commands that use the vault: a config file that cannot be used is reported as
 * a warning and only the first-party providers load, so local secrets stay readable. The
 * commands that manage plugins use loadConfig() and refuse instead.
 */
export function loadConfigOrDefaults(warn: (text: string) => void): CliConfig {
  try {
    const config = loadConfig();
    // A config named on purpose that is not there is most likely a misspelled path: say so.
    if (!config.exists && process.env.VAULTLINK_CONFIG?.trim())
      warn(
        `warning: The config file ${config.file} (named by VAULTLINK_CONFIG) does not exist. Only the first-party providers are loaded.\nhint: Check the path in VAULTLINK_CONFIG, or unset it to use config.json in ${vaultHome()}.`,
      );
    return config;
  } catch (error) {
    if (!(error instanceof CliError) || error.code !== "CONFIG_INVALID") throw error;
    warn(
      `warning: ${error.message} Its plugins are not loaded; first-party providers and local secrets work.${error.hint ? `\nhint: ${error.hint}` : ""}`,
    );
    return { ...defaultPluginConfig(pluginConfigFile(vaultHome())), exists: true };
  }
}

function configError(file: string, why: string): CliError {
  return new CliError(`The config file ${file} cannot be used: ${why}.`, {
    hint: `Fix ${file}: expected { "plugins": ["name" | "./path.js" | ["name", {options}]], "discover": false }.`,
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
