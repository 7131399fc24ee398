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
