import { randomBytes } from "node:crypto";
import { open, rename, rm } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";

/**
 * Refuse an output file (`-o`) inside the vault directory: it would replace the vault, its
 * backup, the cache or the lock (symlinks and `..` resolved first).
 */
export async function refuseVaultDirOutput(path: string): Promise<void> {
  const core = await import("@vaultlink/core");
  const dir = core.resolveVaultPaths().dir;
  if (await core.isInVaultDir(path, dir)) {
    throw core.vaultlinkError(
      "UNSAFE_OUTPUT",
      `Refusing to write ${path}: it is in the vault directory ${dir}, where it could replace the vault, its backup or the cache.`,
      { hint: "Write the output somewhere outside the vault directory. Nothing was written." },
    );
  }
}

/** Write a file readable only by its owner (0600): temp file, fsync, rename. */
export async function writePrivateFile(path: string, content: string): Promise<void> {
  const target = resolve(path);
  const temp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString("hex")}.tmp`);
  const handle = await open(temp, "wx", 0o600);
  try {
    await handle.writeFile(content, "utf8");
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
