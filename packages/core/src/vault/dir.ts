import { chmod, lstat, mkdir, realpath, stat } from "node:fs/promises";
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";
import { vaultlinkError } from "../errors/index.js";
import { DIR_MODE } from "./paths.js";
import type { VaultPaths } from "./types.js";

/**
 * Create the vault directory with mode 0700, or check an existing one: it must belong to this
 * user and be writable by nobody else (see `checkVaultDir`); one that is only readable by
 * group or others is tightened to 0700. Modes are not checked on Windows.
 */
export async function ensureVaultDir(paths: VaultPaths): Promise<void> {
  let existed = true;
  try {
    await stat(paths.dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    existed = false;
  }
  if (!existed) await mkdir(paths.dir, { recursive: true, mode: DIR_MODE });
  // Checked after mkdir too: another user may have created it first (mkdir then succeeds).
  await checkVaultDir(paths.dir);
  await tightenMode(paths.dir, DIR_MODE);
}

/**
 * Refuse a vault directory another user could change: owned by someone else, or writable by
 * group or others (a shared directory such as /tmp, mode 1777). Such a directory is never
 * chmod-ed: it is not ours to change, and files in it could be swapped under us. A missing
 * directory passes (it will be created 0700).
 */
export async function checkVaultDir(dir: string): Promise<void> {
  if (process.platform === "win32") return;
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return; // nothing there to trust yet
    throw error;
  }
  const uid = process.getuid?.();
  const problems: string[] = [];
  if (!info.isDirectory()) problems.push("it is not a directory");
  if (uid !== undefined && info.uid !== uid) {
    problems.push(`it belongs to another user (uid ${info.uid}, you are ${uid})`);
  }
  if ((info.mode & 0o022) !== 0) {
    problems.push(
      `other users may create and replace files in it (mode ${(info.mode & 0o7777).toString(8).padStart(4, "0")})`,
    );
  }
  if (problems.length === 0) return;
  throw vaultlinkError(
    "VAULT_HOME_UNSAFE",
    `The vault directory ${dir} is not safe for secrets: ${problems.join("; ")}.`,
    {
      hint: "Point VAULTLINK_HOME at a directory of your own that only you can write, for example a new one: VAULTLINK_HOME=~/.vaultlink (vaultlink creates it with mode 0700). Nothing was changed.",
      details: { dir },
    },
  );
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

/**
 * Whether writing `file` would write inside the vault directory `dir`: the path itself, the
 * directory it lands in, or (for an existing symlink) the file it points to, each with
 * symlinks and `..` resolved. Used to refuse output files (`-o`) that would replace the vault,
 * its backup, the cache, the lock or anything else vaultlink keeps there.
 */
export async function isInVaultDir(file: string, dir: string): Promise<boolean> {
  const home = await realOrResolved(dir);
  const candidates = new Set<string>();
  const absolute = resolve(file);
  candidates.add(absolute);
  candidates.add(
    resolve(await realOrResolved(dirname(absolute)), relative(dirname(absolute), absolute)),
  );
  try {
    if ((await lstat(absolute)).isSymbolicLink())
      candidates.add(await realOrResolvedTarget(absolute));
  } catch {
    // Does not exist yet.
  }
  for (const c of candidates) {
    const rel = relative(home, c);
    const outside = rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel);
    if (!outside) return true;
  }
  return false;
}

/** realpath of `path`, or of its deepest existing ancestor joined with the rest. */
async function realOrResolved(path: string): Promise<string> {
  const absolute = resolve(path);
  try {
    return await realpath(absolute);
  } catch {
    const parent = dirname(absolute);
    if (parent === absolute) return absolute;
    return resolve(await realOrResolved(parent), relative(parent, absolute));
  }
}

/** Where a symlink finally points, even when that target does not exist (yet). */
async function realOrResolvedTarget(link: string): Promise<string> {
  try {
    return await realpath(link);
  } catch {
    const { readlink } = await import("node:fs/promises");
    const target = resolve(dirname(link), await readlink(link));
    return realOrResolved(target);
  }
}
