import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { vaultlinkError } from "../errors/index.js";
import { isDeadHere as pidDeadHere } from "./durable-file.js";
import { LOCK_DIR_NAME, VAULT_FILE_NAME } from "./paths.js";

/*
 * Inter-process lock around every vault write.
 *
 * proper-lockfile creates the directory `vault.lock` atomically (mkdir) and keeps its mtime
 * fresh while held; a lock whose mtime is older than `staleMs` is taken over (covers crashed
 * holders on any host, including network file systems). On top of that, the holder writes
 * `vault.lock/owner` ({pid, host, token}); a waiter on the same host that finds the owner
 * process dead takes the lock over at once instead of waiting for the mtime to go stale, and so
 * does any waiter that finds a lock directory left without an owner file for over 5 s (a
 * writer killed between creating the lock and recording itself).
 * Takeovers are serialised by a second short-lived lock and re-check the owner token, so two
 * waiters can never both remove a live lock.
 *
 * A holder paused past the stale time (SIGSTOP, a suspended laptop) loses the lock to the next
 * writer. When it resumes it must neither write nor remove the new holder's lock: its release,
 * and proper-lockfile's clean-up at exit, remove the lock directory only while the owner file
 * still carries this holder's token.
 *
 * Commit fence: right before its rename the holder creates `vault.lock/commit.<token>` and
 * only then checks that it still holds the lock (`enterCommit`). A takeover removes the lock
 * directory with rmdir, which fails on a directory that is not empty, and never removes a
 * commit file whose writer may be alive. So either the takeover happened first (the holder
 * sees it and writes nothing) or the takeover cannot happen until the holder has renamed and
 * removed its commit file, however long it is paused in between. The commit file's name
 * carries its writer's pid and host, so a writer killed right after creating it (the file
 * still empty) is known to be gone. A commit file whose writer is dead on this host is removed
 * with its lock; one from another host (network file systems, where liveness cannot be
 * checked) after COMMIT_ABANDONED_MS.
 */

export interface LockOptions {
  /** A lock not refreshed for this long is considered abandoned. Minimum 2000. Default 10000. */
  staleMs?: number;
  /** Give up with VAULT_BUSY after waiting this long. Default 20000. */
  timeoutMs?: number;
}

const OWNER_FILE = "owner";
const COMMIT_PREFIX = "commit.";
/** A commit file from another host this old is taken as abandoned. */
const COMMIT_ABANDONED_MS = 10 * 60_000;
const TAKEOVER_LOCK = "vault.takeover.lock";
const DEFAULT_STALE_MS = 10_000;
const DEFAULT_TIMEOUT_MS = 20_000;

interface Owner {
  pid: number;
  host: string;
  token: string;
}

/** proper-lockfile's fs, made to remove our owner file before removing the lock directory. */
const lockFs = {
  ...fs,
  rmdir(path: string, callback: (err: NodeJS.ErrnoException | null) => void) {
    if (hasCommitFile(path)) {
      callback(lockedError());
      return;
    }
    fs.rm(join(path, OWNER_FILE), { force: true }, () =>
      // Fails with ENOTEMPTY when a holder created its commit file meanwhile: that is the fence.
      fs.rmdir(path, (err) => callback(err?.code === "ENOTEMPTY" ? lockedError() : err)),
    );
  },
  rmdirSync(path: string) {
    if (hasCommitFile(path)) return;
    fs.rmSync(join(path, OWNER_FILE), { force: true });
    try {
      fs.rmdirSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOTEMPTY") throw error;
    }
  },
};

function hasCommitFile(lockDir: string): boolean {
  try {
    return fs.readdirSync(lockDir).some((n) => n.startsWith(COMMIT_PREFIX));
  } catch {
    return false;
  }
}

function lockedError(): NodeJS.ErrnoException {
  return Object.assign(new Error("Lock file is already being held"), { code: "ELOCKED" });
}

/**
 * The fs one acquisition hands proper-lockfile. While acquiring, it may remove a stale lock
 * (that is the takeover). Once this holder has recorded its token, it removes the lock
 * directory only while the owner file still holds that token: a holder that was paused and
 * taken over must not release the new holder's lock.
 */
function holderFs(state: { token: string | undefined }) {
  const mine = (path: string): boolean => {
    if (state.token === undefined) return true;
    try {
      const owner = JSON.parse(fs.readFileSync(join(path, OWNER_FILE), "utf8")) as Partial<Owner>;
      return owner.token === state.token;
    } catch {
      return false;
    }
  };
  return {
    ...lockFs,
    rmdir(path: string, callback: (err: NodeJS.ErrnoException | null) => void) {
      if (!mine(path)) {
        callback(null);
        return;
      }
      lockFs.rmdir(path, callback);
    },
    rmdirSync(path: string) {
      if (mine(path)) lockFs.rmdirSync(path);
    },
  };
}

/** In-process queue per lock directory, so one process never polls against itself. */
const inProcess = new Map<string, Promise<void>>();

export interface ReleaseLock {
  (): Promise<void>;
  /** Whether this holder still owns the lock (false once another writer took it over). */
  held(): Promise<boolean>;
  /**
   * Raise the commit fence, then check the lock is still held. True: no takeover can happen
   * until `leaveCommit`, so the caller may rename. False: the lock was taken over; write nothing.
   */
  enterCommit(): Promise<boolean>;
  /** Lower the commit fence (after the rename, or after giving up). */
  leaveCommit(): Promise<void>;
}

/** Acquire the vault write lock in `dir`. Throws VAULT_BUSY after `timeoutMs`. */
export async function acquireVaultLock(
  dir: string,
  options: LockOptions = {},
): Promise<ReleaseLock> {
  const lockDir = join(dir, LOCK_DIR_NAME);
  const previous = inProcess.get(lockDir) ?? Promise.resolve();
  let releaseQueue!: () => void;
  const mine = new Promise<void>((resolve) => {
    releaseQueue = resolve;
  });
  const tail = previous.then(() => mine);
  inProcess.set(lockDir, tail);
  const leaveQueue = () => {
    releaseQueue();
    if (inProcess.get(lockDir) === tail) inProcess.delete(lockDir);
  };
  await previous;
  try {
    const { release, token } = await acquireAcrossProcesses(dir, lockDir, options);
    let released = false;
    const releaseLock = async () => {
      if (released) return;
      released = true;
      try {
        await release();
      } catch {
        // Already released or compromised: nothing more to undo.
      } finally {
        leaveQueue();
      }
    };
    const held = async () => !released && (await readOwner(lockDir))?.token === token;
    // The writer's pid and host are in the file's name, which exists as soon as the file does:
    // a writer killed between creating the file and writing into it is still known to be dead.
    const commitFile = join(lockDir, commitFileName(token, process.pid, hostname()));
    const leaveCommit = async () => {
      await rm(commitFile, { force: true }).catch(() => {});
    };
    const enterCommit = async () => {
      if (released) return false;
      try {
        const me: Omit<Owner, "token"> = { pid: process.pid, host: hostname() };
        await writeFile(commitFile, JSON.stringify(me), { flag: "wx", mode: 0o600 });
      } catch {
        return false; // the lock directory is gone: taken over
      }
      if (await held()) return true;
      await leaveCommit();
      return false;
    };
    return Object.assign(releaseLock, { held, enterCommit, leaveCommit });
  } catch (error) {
    leaveQueue();
    throw error;
  }
}

async function acquireAcrossProcesses(
  dir: string,
  lockDir: string,
  options: LockOptions,
): Promise<{ release: () => Promise<void>; token: string }> {
  const staleMs = Math.max(options.staleMs ?? DEFAULT_STALE_MS, 2000);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  let delay = 5;
  for (;;) {
    const state: { token: string | undefined } = { token: undefined };
    try {
      const release = await (await import("proper-lockfile")).default.lock(
        join(dir, VAULT_FILE_NAME),
        {
          lockfilePath: lockDir,
          realpath: false,
          stale: staleMs,
          retries: 0,
          fs: holderFs(state),
          // The default throws from a timer and kills the process; a compromised lock only
          // means another writer may take over, and our atomic rename stays all-or-nothing.
          onCompromised: () => {},
        },
      );
      try {
        const owner: Owner = {
          pid: process.pid,
          host: hostname(),
          token: randomBytes(12).toString("hex"),
        };
        await writeFile(join(lockDir, OWNER_FILE), JSON.stringify(owner), { mode: 0o600 });
        state.token = owner.token;
        return { release, token: owner.token };
      } catch (error) {
        await release().catch(() => {});
        throw error;
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // ENOENT with the vault directory in place: the lock directory this process had just
      // made was removed before it could record itself (it was paused past the stale time and
      // another writer took over). That is contention, not a failure: wait and try again.
      const lostRace = code === "ENOENT" && (await isDirectory(dir));
      if (code !== "ELOCKED" && !lostRace) {
        throw vaultlinkError("VAULT_BUSY", `Could not lock the vault in ${dir} for writing.`, {
          hint: "Check that the vault directory exists and is writable by you.",
          cause: error,
        });
      }
      if (await takeOverIfOwnerDead(dir, lockDir)) continue;
      if (Date.now() >= deadline) {
        throw vaultlinkError(
          "VAULT_BUSY",
          `Another vaultlink process has been writing the vault in ${dir} for more than ${Math.round(timeoutMs / 1000)} s.`,
          {
            hint: `Wait for the other vaultlink command to finish and retry. If none is running, the lock ${lockDir} is released automatically after ${Math.round(staleMs / 1000)} s.`,
            details: { lock: lockDir },
          },
        );
      }
      await sleep(delay + Math.random() * delay);
      delay = Math.min(delay * 2, 100);
    }
  }
}

async function readOwner(lockDir: string): Promise<Owner | undefined> {
  try {
    const value = JSON.parse(await readFile(join(lockDir, OWNER_FILE), "utf8")) as Partial<Owner>;
    if (
      typeof value.pid === "number" &&
      typeof value.host === "string" &&
      typeof value.token === "string"
    ) {
      return value as Owner;
    }
  } catch {
    // Missing (the holder is between mkdir and writing it) or unreadable: not provably dead.
  }
  return undefined;
}

function isDeadHere(owner: Owner): boolean {
  return owner.host === hostname() && pidDeadHere(owner.pid);
}

/**
 * A holder writes its owner file right after creating the lock directory. A directory still
 * without a readable owner file this long after it was made belongs to a writer that died in
 * between (or mid-write of the owner file), and is abandoned. The grace is generous on purpose:
 * on a loaded machine a live writer can be starved for over a second between the two steps,
 * and taking its lock then makes its write fail (VAULT_CHANGED) for no reason.
 */
const OWNERLESS_GRACE_MS = 5000;

async function ownerlessAndOld(lockDir: string): Promise<boolean> {
  try {
    const info = await stat(lockDir);
    return (
      Date.now() - info.mtimeMs > OWNERLESS_GRACE_MS && (await readOwner(lockDir)) === undefined
    );
  } catch {
    return false;
  }
}

/** Is the lock abandoned: its owner dead on this host, or never recorded by a dead writer? */
async function abandoned(lockDir: string): Promise<{ token: string | undefined } | undefined> {
  const owner = await readOwner(lockDir);
  if (owner) return isDeadHere(owner) ? { token: owner.token } : undefined;
  return (await ownerlessAndOld(lockDir)) ? { token: undefined } : undefined;
}

async function takeOverIfOwnerDead(dir: string, lockDir: string): Promise<boolean> {
  const seen = await abandoned(lockDir);
  if (!seen) return false;
  let releaseTakeover: () => Promise<void>;
  try {
    releaseTakeover = await (await import("proper-lockfile")).default.lock(
      join(dir, TAKEOVER_LOCK),
      {
        lockfilePath: join(dir, TAKEOVER_LOCK),
        realpath: false,
        stale: 2000,
        retries: 0,
        onCompromised: () => {},
      },
    );
  } catch {
    return false; // another waiter is taking over right now
  }
  try {
    // Re-check under the takeover lock: the same abandoned holder, not a new live one.
    const again = await abandoned(lockDir);
    if (!again || again.token !== seen.token) return false;
    if (!(await removeAbandonedCommits(lockDir))) return false;
    await new Promise<void>((resolve, reject) =>
      lockFs.rmdir(lockDir, (err) => (err && err.code !== "ENOENT" ? reject(err) : resolve())),
    );
    return true;
  } catch {
    return false;
  } finally {
    await releaseTakeover().catch(() => {});
  }
}

/**
 * Remove the commit files of writers that can no longer rename: dead on this host, or from
 * another host and older than COMMIT_ABANDONED_MS. False when a live (or possibly live) one
 * remains: the lock must then not be taken over.
 */
async function removeAbandonedCommits(lockDir: string): Promise<boolean> {
  let names: string[];
  try {
    names = await readdir(lockDir);
  } catch {
    return true;
  }
  for (const name of names.filter((n) => n.startsWith(COMMIT_PREFIX))) {
    const file = join(lockDir, name);
    const writer = parseCommitFileName(name);
    // A writer on this host is checked by pid; one elsewhere (or a name we cannot read) only
    // by the file's age.
    const gone =
      writer?.host === hostname()
        ? pidDeadHere(writer.pid)
        : await stat(file)
            .then((i) => Date.now() - i.mtimeMs > COMMIT_ABANDONED_MS)
            .catch(() => true);
    if (!gone) return false;
    await rm(file, { force: true });
  }
  return true;
}

/** `commit.<token>.<pid>.<host as hex>`: who may still rename, readable without opening the file. */
function commitFileName(token: string, pid: number, host: string): string {
  return `${COMMIT_PREFIX}${token}.${pid}.${Buffer.from(host, "utf8").toString("hex")}`;
}

function parseCommitFileName(name: string): { pid: number; host: string } | undefined {
  const m = /^commit\.[0-9a-f]+\.(\d+)\.([0-9a-f]*)$/.exec(name);
  if (!m) return undefined;
  return { pid: Number(m[1]), host: Buffer.from(m[2] ?? "", "hex").toString("utf8") };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
