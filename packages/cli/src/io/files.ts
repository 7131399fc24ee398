import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { open, rename, rm } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { CliError, ExitCode } from "../errors.js";

/** An OS failure while writing `target`, naming `target` (not the temp file) and the fix. */
function writeFailure(error: unknown, target: string): unknown {
  const e = error as NodeJS.ErrnoException;
  if (e?.code === "ENOENT" && !existsSync(dirname(target)))
    return new CliError(
      `Cannot write ${target}: the directory ${dirname(target)} does not exist.`,
      {
        hint: "Create the directory first (mkdir -p), or choose another path.",
        exitCode: ExitCode.other,
        code: "OS_ENOENT",
        details: { errno: "ENOENT", path: target },
      },
    );
  if (e?.code === "ENOENT")
    return new CliError(
      `Cannot write ${target}: no new file can be created in ${dirname(target)} (the temporary file beside it was refused).`,
      {
        hint: "Write to a directory of a normal file system (the file is written beside its target, then renamed).",
        exitCode: ExitCode.other,
        code: "OS_ENOENT",
        details: { errno: "ENOENT", path: target },
      },
    );
  if (e && typeof e.code === "string") e.path = target;
  return error;
}

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
  const handle = await open(temp, "wx", 0o600).catch((error: unknown) => {
    throw writeFailure(error, target);
  });
  try {
    await handle.writeFile(content, "utf8");
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw writeFailure(error, target);
  }
  await handle.close();
  try {
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw writeFailure(error, target);
  }
}
