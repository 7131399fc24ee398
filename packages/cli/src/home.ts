import { homedir } from "node:os";
import { join, resolve } from "node:path";

/**
 * The vault directory as core computes it (VAULTLINK_HOME, else the per-user data dir).
 * Duplicated here only for the config and team files, so reading them needs no core import.
 */
export function vaultHome(): string {
  const fromEnv = process.env.VAULTLINK_HOME?.trim();
  if (fromEnv) return resolve(fromEnv);
  if (process.platform === "darwin")
    return join(homedir(), "Library", "Application Support", "vaultlink");
  if (process.platform === "win32") {
    return join(
      process.env.LOCALAPPDATA ?? join(homedir(), "AppData", "Local"),
      "vaultlink",
      "Data",
    );
  }
  return join(process.env.XDG_DATA_HOME || join(homedir(), ".local", "share"), "vaultlink");
}
