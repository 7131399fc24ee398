import type { Command } from "commander";
import { tellAgentFilesChanged, vaultFilesStamp } from "../agent-link.js";
import {
  type GlobalOptions,
  type OpenedVault,
  type OpenOptions,
  openVault,
} from "../vault-access.js";

export type Opts = Record<string, unknown>;

export function globals(cmd: Command): GlobalOptions {
  const o = cmd.optsWithGlobals() as Opts;
  return o.debug === true ? { debug: true } : {};
}

/** Open (and unlock) the vault for one command, and always release it. */
export async function withVault<T>(
  cmd: Command,
  fn: (o: OpenedVault) => Promise<T>,
  options: Omit<OpenOptions, "global"> = {},
): Promise<T> {
  const opened = await openVault({ global: globals(cmd), ...options });
  const home = opened.vault.paths.dir;
  const before = vaultFilesStamp(home);
  try {
    return await fn(opened);
  } finally {
    await opened.close();
    // A running agent keeps the vault and cache in memory: tell it when this command wrote.
    await tellAgentFilesChanged(home, before);
  }
}

export function splitList(text: string | undefined): string[] {
  return (text ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/**
 * What was given to `cmd` on the command line, for a command whose options depend on a plugin
 * and are parsed again once the plugin is known: the options commander recognised (value
 * source "cli"), then its arguments with every unknown option in order (`allowUnknownOption`).
 * Only commander's public API: `options`, `getOptionValueSource`, `getOptionValue`, `args`.
 */
export function givenArgs(cmd: Command): string[] {
  const given: string[] = [];
  for (const option of cmd.options) {
    const key = option.attributeName();
    if (cmd.getOptionValueSource(key) !== "cli") continue;
    const flag = option.long ?? option.short;
    const value: unknown = cmd.getOptionValue(key);
    if (flag === undefined) continue;
    if (typeof value === "boolean") {
      // `--no-check` is stored as check=false; a plain flag as true.
      if (value === !option.negate) given.push(flag);
    } else if (Array.isArray(value)) for (const v of value) given.push(flag, String(v));
    else if (value !== undefined) given.push(flag, String(value));
  }
  return [...given, ...cmd.args];
}
