import { chmod, mkdir, stat } from "node:fs/promises";
import { DIR_MODE } from "./paths.js";
import type { VaultPaths } from "./types.js";

/**
 * Create the vault directory with mode 0700, or tighten an existing one that is readable or
 * writable by group or others. Not a no-op on Windows, where modes are mostly ignored.
 */
export async function ensureVaultDir(paths: VaultPaths): Promise<void> {
  await mkdir(paths.dir, { recursive: true, mode: DIR_MODE });
  await tightenMode(paths.dir, DIR_MODE);
}

/** chmod `path` to `mode` when it grants anything to group or others. Missing files are ignored. */
export async function tightenMode(path: string, mode: number): Promise<void> {
  if (process.platform === "win32") return;
  try {
    const info = await stat(path);
    if ((info.mode & 0o077) !== 0) await chmod(path, mode);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}
