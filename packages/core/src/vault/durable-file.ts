import { createHash, randomBytes } from "node:crypto";
import { lstat, open, readdir, realpath, rename, rm } from "node:fs/promises";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";
import { FILE_MODE } from "./paths.js";

/*
 * Atomic, durable file replacement for the vault directory: the new bytes go to a temp file
 * beside the target (created exclusively, mode 0600, fsynced), which is then renamed over the
 * target, and the directory is fsynced.
 *
 * Temp names say who wrote them: `<target>.<pid>.<host>.<random>.tmp`, where host is 8 hex
 * digits of SHA-256(hostname). A cleanup may then remove exactly the temp files of processes
 * that are provably dead on this host, and never the temp file of a live writer, however long
 * that writer has been paused (SIGSTOP, a suspended laptop).
 */

const HOST_TAG = createHash("sha256").update(hostname()).digest("hex").slice(0, 8);

/** A fresh temp name beside `target` for this process. */
export function tempNameFor(target: string): string {
  return join(
    dirname(target),
    `${basename(target)}.${process.pid}.${HOST_TAG}.${randomBytes(6).toString("hex")}.tmp`,
  );
}

/**
 * The file a write to `file` really replaces: `file` itself, or the file it links to when it
 * is a symbolic link (the link is kept, as it was set up on purpose).
 */
export async function writeTarget(file: string): Promise<string> {
  try {
    return (await lstat(file)).isSymbolicLink() ? await realpath(file) : file;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return file;
    throw error;
  }
}

/** Write `bytes` to a new temp file beside `target` and fsync it. Returns the temp path. */
export async function writeTemp(target: string, bytes: Uint8Array): Promise<string> {
  const temp = tempNameFor(target);
  const handle = await open(temp, "wx", FILE_MODE);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
    await handle.close();
  } catch (error) {
    await handle.close().catch(() => {});
    await rm(temp, { force: true });
    throw error;
  }
  return temp;
}

/** Rename a temp file over `target` and make the rename durable. */
export async function commitTemp(temp: string, target: string): Promise<void> {
  try {
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await fsyncDir(dirname(target));
}

/** Replace `file` (or what it links to) with `bytes`, atomically and durably. */
export async function writeFileDurably(file: string, bytes: Uint8Array): Promise<void> {
  const target = await writeTarget(file);
  await commitTemp(await writeTemp(target, bytes), target);
}

export async function fsyncDir(dir: string): Promise<void> {
  if (process.platform === "win32") return;
  try {
    const handle = await open(dir, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some file systems cannot fsync a directory; the rename is still atomic.
  }
}

/** Whether process `pid` on this host has exited (false when unsure). */
export function isDeadHere(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

export interface LeftoverOptions {
  /** Base names whose temp files are looked for (e.g. "vault.vlt", "cache.vlc"). */
  bases: readonly string[];
  /**
   * Temp names of older vaultlink versions (`<base>.<digits>`, `<base>.<pid>.<hex>.tmp`) carry
   * no host and may not name a pid: they are removed once older than this (ms). 0 removes them
   * at once. Default 10 minutes.
   */
  legacyAgeMs?: number;
  /** Remove every temp file of these bases, live writers' too (a cache reset). */
  all?: boolean;
}

/**
 * Remove the temp files of dead writers from `dir`: ours whose process is gone from this host,
 * and those of older versions past `legacyAgeMs`. Live writers' temp files are never touched.
 * Returns the names removed.
 */
export async function removeLeftovers(dir: string, options: LeftoverOptions): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const legacyAgeMs = options.legacyAgeMs ?? 10 * 60_000;
  const removed: string[] = [];
  const bases = [...options.bases].sort((a, b) => b.length - a.length);
  for (const name of names) {
    const base = bases.find((b) => name.startsWith(`${b}.`));
    if (base === undefined) continue;
    const rest = name.slice(base.length + 1);
    const ours = /^(\d+)\.([0-9a-f]{8})\.[0-9a-f]+\.tmp$/.exec(rest);
    let remove = false;
    if (ours) {
      remove = options.all === true || (ours[2] === HOST_TAG && isDeadHere(Number(ours[1])));
    } else if (/^\d+$/.test(rest) || /^\d+\.[0-9a-f]+\.tmp$/.test(rest)) {
      remove =
        options.all === true ||
        legacyAgeMs === 0 ||
        (await olderThan(join(dir, name), legacyAgeMs));
    }
    if (remove) {
      await rm(join(dir, name), { force: true }).catch(() => {});
      removed.push(name);
    }
  }
  return removed;
}

async function olderThan(file: string, ms: number): Promise<boolean> {
  try {
    return Date.now() - (await lstat(file)).mtimeMs > ms;
  } catch {
    return false;
  }
}
