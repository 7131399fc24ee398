import { link, lstat, open, rename, rm, stat } from "node:fs/promises";
import { vaultlinkError } from "../errors/index.js";
import { draftDocument } from "./cow.js";
import { deriveKey } from "./crypto.js";
import { ensureVaultDir, tightenMode } from "./dir.js";
import { checkVaultDocument } from "./document-check.js";
import {
  commitTemp,
  fsyncDir,
  removeLeftovers,
  tempNameFor,
  writeFileDurably,
  writeTarget,
  writeTemp,
} from "./durable-file.js";
import {
  type DecodedVault,
  decodeVaultFile,
  decodeWithDataKey,
  encodeVaultFile,
  type FileLabel,
  newVaultHeader,
  storedChecksum,
  verifyVaultFile,
} from "./format.js";
import { generateVaultKey, parseVaultKey } from "./key.js";
import { acquireVaultLock, type LockOptions, type ReleaseLock } from "./lock.js";
import { emptyDocument, type VaultDocument } from "./model.js";
import {
  BACKUP_FILE_NAME,
  CACHE_FILE_NAME,
  FILE_MODE,
  type ResolveVaultPathsOptions,
  resolveVaultPaths,
  VAULT_FILE_NAME,
} from "./paths.js";
import type { VaultFileStore, VaultPaths, VaultSession } from "./types.js";

export interface FileVaultStoreOptions extends ResolveVaultPathsOptions {
  /** Use these paths as they are (wins over `home` and `env`). */
  paths?: VaultPaths;
  /** Inter-process lock tuning. */
  lock?: LockOptions;
}

/** The argument `reset` requires: the caller has asked the user and got a yes. */
export interface ResetOptions {
  confirm: true;
}

/** Throws CONFIRMATION_REQUIRED unless `options` is exactly `{ confirm: true }`. */
export function confirmReset(options: unknown): asserts options is ResetOptions {
  requireConfirmation(
    options,
    "Resetting the vault destroys every secret, link, integration, the backup and the cache; it needs explicit confirmation.",
    "Confirm the reset (vaultlink vault reset --yes), or pass { confirm: true } when embedding.",
  );
}

/** Throws CONFIRMATION_REQUIRED with `message` and `hint` unless `options` is `{ confirm: true }`. */
function requireConfirmation(
  options: unknown,
  message: string,
  hint: string,
): asserts options is { confirm: true } {
  if (
    typeof options !== "object" ||
    options === null ||
    (options as { confirm?: unknown }).confirm !== true
  ) {
    throw vaultlinkError("CONFIRMATION_REQUIRED", message, { hint });
  }
}

interface Stamp {
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
}

interface Snapshot {
  bytes: Buffer;
  stamp: Stamp;
}

interface SessionState extends DecodedVault {
  stamp: Stamp;
}

/** The argument `restore` requires: the caller has asked the user and got a yes. */
export interface RestoreOptions {
  confirm: true;
}

/** What `restore` did with the vault file it replaced. */
export interface RestoreResult {
  /** What became of the vault file that was there: kept as the backup, set aside, or none. */
  replaced: "kept-as-backup" | "set-aside" | "none";
  /** Where a damaged or foreign vault file was moved to (when `replaced` is "set-aside"). */
  setAsideAs?: string;
}

/** The file names a vault directory holds, for temp-file clean-up. */
const VAULT_BASES = [VAULT_FILE_NAME, BACKUP_FILE_NAME] as const;

/** The vault file store: one directory holding vault.vlt, vault.vlt.bak and cache.vlc. */
export class FileVaultStore implements VaultFileStore {
  readonly paths: VaultPaths;
  readonly #lock: LockOptions;

  constructor(options: FileVaultStoreOptions = {}) {
    this.paths = options.paths ?? resolveVaultPaths(options);
    this.#lock = options.lock ?? {};
  }

  async exists(): Promise<boolean> {
    try {
      await stat(this.paths.vaultFile);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
      throw error;
    }
  }

  /** Whether a backup generation exists (vault.vlt.bak). */
  async backupExists(): Promise<boolean> {
    return fileExists(this.paths.backupFile);
  }

  async create(): Promise<{ vaultKey: string; session: VaultSession }> {
    await ensureVaultDir(this.paths);
    const release = await acquireVaultLock(this.paths.dir, this.#lock);
    try {
      if (await this.exists()) {
        throw vaultlinkError("VAULT_EXISTS", `A vault already exists in ${this.paths.dir}.`, {
          hint: "Open it with its vault key. To start over, reset it (vaultlink vault reset), which destroys every secret in it.",
          details: { file: this.paths.vaultFile },
        });
      }
      if (await this.backupExists()) {
        // The next write would rotate this backup away: it may be the only copy of a vault.
        throw vaultlinkError(
          "VAULT_EXISTS",
          `${this.paths.vaultFile} is missing, but its backup ${this.paths.backupFile} exists; a new vault here would overwrite that backup.`,
          {
            hint: "Restore the backup with `vaultlink vault restore`. To start over instead, move the backup elsewhere or run `vaultlink vault reset --yes`, which destroys it.",
            details: { file: this.paths.vaultFile, backup: this.paths.backupFile },
          },
        );
      }
      return await this.#createLocked();
    } finally {
      await release();
    }
  }

  async open(vaultKey: string): Promise<VaultSession> {
    const keyBytes = parseVaultKey(vaultKey);
    await this.#prepareExisting();
    const snapshot = await readSnapshot(this.paths);
    const decoded = decodeVaultFile(snapshot.bytes, keyBytes, label(this.paths));
    return new FileVaultSession(this.paths, this.#lock, keyBytes, {
      ...decoded,
      document: deepFreeze(decoded.document),
      stamp: snapshot.stamp,
    });
  }

  async reset(options: ResetOptions): Promise<{ vaultKey: string; session: VaultSession }> {
    confirmReset(options);
    await ensureVaultDir(this.paths);
    const release = await acquireVaultLock(this.paths.dir, this.#lock);
    try {
      for (const file of [this.paths.vaultFile, this.paths.backupFile, this.paths.cacheFile]) {
        await rm(file, { force: true });
      }
      await removeLeftovers(this.paths.dir, { bases: [...VAULT_BASES, CACHE_FILE_NAME] });
      return await this.#createLocked();
    } finally {
      await release();
    }
  }

  /**
   * Open the backup with `vaultKey` without changing anything: what a restore would bring
   * back. Throws VAULT_NOT_FOUND (no backup), VAULT_WRONG_KEY or VAULT_CORRUPT naming it.
   */
  async inspectBackup(vaultKey: string): Promise<VaultDocument> {
    const keyBytes = parseVaultKey(vaultKey);
    await this.#prepareExisting();
    return decodeVaultFile(await this.#readBackup(), keyBytes, { file: this.paths.backupFile })
      .document;
  }

  async #readBackup(): Promise<Buffer> {
    try {
      return await readFileFollowing(this.paths.backupFile);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      throw vaultlinkError("VAULT_NOT_FOUND", `There is no backup ${this.paths.backupFile}.`, {
        hint: "A backup is kept from the second write of a vault on; nothing was changed.",
        details: { file: this.paths.backupFile },
      });
    }
  }

  /**
   * Make the backup the vault again. The backup must open with `vaultKey` (checked before
   * anything changes). The vault file it replaces is kept: as the new backup when it opens
   * with the same key (so a second restore undoes the first), otherwise (damaged, or another
   * vault's) set aside as `vault.vlt.replaced-<time>`. Needs `{ confirm: true }`.
   */
  async restore(vaultKey: string, options: RestoreOptions): Promise<RestoreResult> {
    confirmRestore(options);
    const keyBytes = parseVaultKey(vaultKey);
    await this.#prepareExisting();
    const release = await acquireVaultLock(this.paths.dir, this.#lock);
    try {
      const backup = await this.#readBackup();
      // Throws VAULT_CORRUPT / VAULT_WRONG_KEY naming the backup; nothing has changed yet.
      decodeVaultFile(backup, keyBytes, { file: this.paths.backupFile });
      let current: Buffer | undefined;
      try {
        current = await readFileFollowing(this.paths.vaultFile);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      }
      let result: RestoreResult = { replaced: "none" };
      let currentOpens = false;
      if (current !== undefined) {
        try {
          decodeVaultFile(current, keyBytes, label(this.paths));
          currentOpens = true;
        } catch {
          currentOpens = false;
        }
        if (!currentOpens) {
          const aside = `${this.paths.vaultFile}.replaced-${new Date().toISOString().replace(/[:.]/g, "-")}`;
          await writeFileDurably(aside, current);
          result = { replaced: "set-aside", setAsideAs: aside };
        } else result = { replaced: "kept-as-backup" };
      }
      const target = await writeTarget(this.paths.vaultFile);
      const vaultTemp = await writeTemp(target, backup);
      let backupTemp: string | undefined;
      try {
        if (current !== undefined && currentOpens) {
          backupTemp = await writeTemp(this.paths.backupFile, current);
        }
        await rename(vaultTemp, target);
      } catch (error) {
        await rm(vaultTemp, { force: true });
        if (backupTemp) await rm(backupTemp, { force: true });
        throw error;
      }
      if (backupTemp) await rename(backupTemp, this.paths.backupFile);
      await fsyncDir(this.paths.dir);
      // Cached values belong to whichever generation filled them; the restored one starts clean.
      await rm(this.paths.cacheFile, { force: true });
      return result;
    } finally {
      await release();
    }
  }

  async #prepareExisting(): Promise<void> {
    try {
      await stat(this.paths.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") throw notFound(this.paths, false);
      throw error;
    }
    await ensureVaultDir(this.paths);
    for (const file of [this.paths.vaultFile, this.paths.backupFile, this.paths.cacheFile]) {
      await tightenMode(file, FILE_MODE);
    }
  }

  async #createLocked(): Promise<{ vaultKey: string; session: VaultSession }> {
    const vaultKey = generateVaultKey();
    const keyBytes = parseVaultKey(vaultKey);
    const { header, dataKey } = newVaultHeader(keyBytes);
    const document = emptyDocument();
    const bytes = encodeVaultFile(header, dataKey, document);
    await writeFileDurably(this.paths.vaultFile, bytes);
    const stamp = toStamp(await stat(this.paths.vaultFile, { bigint: true }));
    const checksum = storedChecksum(bytes) as Buffer;
    const session = new FileVaultSession(this.paths, this.#lock, keyBytes, {
      document: deepFreeze(document),
      dataKey,
      header,
      checksum: Buffer.from(checksum),
      stamp,
    });
    return { vaultKey, session };
  }
}

/** Throws CONFIRMATION_REQUIRED unless `options` is exactly `{ confirm: true }`. */
export function confirmRestore(options: unknown): asserts options is RestoreOptions {
  requireConfirmation(
    options,
    "Restoring replaces the vault with its backup (the previous generation); it needs explicit confirmation.",
    "Confirm the restore (vaultlink vault restore --yes), or pass { confirm: true } when embedding.",
  );
}

class FileVaultSession implements VaultSession {
  readonly paths: VaultPaths;
  readonly cacheKey: Uint8Array;
  readonly #lock: LockOptions;
  readonly #keyBytes: Uint8Array;
  #state: SessionState;

  constructor(paths: VaultPaths, lock: LockOptions, keyBytes: Uint8Array, state: SessionState) {
    this.paths = paths;
    this.#lock = lock;
    this.#keyBytes = keyBytes;
    this.#state = state;
    this.cacheKey = deriveKey(state.dataKey, "cache");
  }

  /**
   * The current document, re-read only when the file changed (inode, size, mtime, ctime).
   * The returned object is frozen: change the vault through `update`.
   */
  async read(): Promise<VaultDocument> {
    let current: Stamp;
    try {
      current = toStamp(await stat(this.paths.vaultFile, { bigint: true }));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT")
        throw await vaultNotFoundError(this.paths);
      throw error;
    }
    if (sameStamp(current, this.#state.stamp)) return this.#state.document;
    const snapshot = await readSnapshot(this.paths);
    this.#state = this.#decode(snapshot);
    return this.#state.document;
  }

  /*
   * One write, under the lock:
   *   1. remove temp files of dead writers; read and verify the current generation G;
   *   2. apply the change to a copy; when it changed nothing, stop (no write, no new backup);
   *   3. write the new generation to a temp file (fsync);
   *   4. hold G under a temp name (a hard link, or a copy when vault.vlt is a symlink);
   *   5. raise the lock's commit fence (no takeover from here on), check this process still
   *      holds the lock and vault.vlt is still G, then rename the temp file over vault.vlt
   *      (fsync dir) and lower the fence;
   *   6. only then move G into vault.vlt.bak.
   * A failure before 5 changes nothing on disk. A writer paused past the lock's stale time
   * (whose lock another writer took) fails at 5 with VAULT_CHANGED instead of writing over the
   * newer generation. A kill anywhere leaves either G or the new generation as vault.vlt and a
   * complete earlier generation as the backup.
   */
  async update<T>(change: (doc: VaultDocument) => T | Promise<T>): Promise<T> {
    const release = await acquireVaultLock(this.paths.dir, this.#lock);
    try {
      await removeLeftovers(this.paths.dir, { bases: VAULT_BASES });
      // Always read the bytes under the lock: a file damaged behind our back must be refused,
      // never overwritten, even if its size and times look unchanged.
      const snapshot = await readSnapshot(this.paths);
      const fresh = this.#decode(snapshot);
      this.#state = fresh;
      const { draft, finish } = draftDocument(fresh.document);
      const result = await change(draft);
      const next = finish();
      if (sameJson(next, fresh.document)) return result;
      const check = checkVaultDocument(next, { checkedSecrets: fresh.document.secrets });
      if (!check.ok) {
        throw vaultlinkError(
          "INVALID_INPUT",
          `The change would leave the vault document invalid (${check.problems.join("; ")}).`,
          { hint: "Nothing was written; fix the change and retry." },
        );
      }
      const bytes = encodeVaultFile(fresh.header, fresh.dataKey, check.document);
      await this.#commit(snapshot, bytes, release);
      const stamp = toStamp(await stat(this.paths.vaultFile, { bigint: true }));
      this.#state = {
        document: deepFreeze(check.document),
        dataKey: fresh.dataKey,
        header: fresh.header,
        checksum: Buffer.from(storedChecksum(bytes) as Buffer),
        stamp,
      };
      return result;
    } finally {
      await release();
    }
  }

  async #commit(read: Snapshot, bytes: Buffer, lock: ReleaseLock): Promise<void> {
    const target = await writeTarget(this.paths.vaultFile);
    const temp = await writeTemp(target, bytes);
    let held: string | undefined;
    try {
      held = await holdGeneration(this.paths, read);
      // The fence first, then the checks: once both pass, no other writer can take the lock
      // until the rename is done, however long this process is paused in between.
      if (!(await lock.enterCommit())) throw changedWhilePaused(this.paths);
      try {
        if (!(await stillGeneration(this.paths.vaultFile, read))) {
          throw changedWhilePaused(this.paths);
        }
        await commitTemp(temp, target);
      } finally {
        await lock.leaveCommit();
      }
    } catch (error) {
      await rm(temp, { force: true });
      if (held) await rm(held, { force: true });
      throw error;
    }
    if (held) {
      // The write is done and reported as such; a backup that cannot be moved into place
      // leaves the previous (complete) backup where it was.
      await rename(held, this.paths.backupFile).catch(() => {});
      // rename() does nothing when the backup already is a hard link to the same inode (a
      // writer was killed in step 6): the temp name stays behind, so remove it either way.
      await rm(held, { force: true });
      await fsyncDir(this.paths.dir);
    }
  }

  #decode(snapshot: Snapshot): SessionState {
    const lbl = label(this.paths);
    const checksum = verifyVaultFile(snapshot.bytes, lbl);
    if (checksum.equals(this.#state.checksum)) {
      // Same generation as we hold (SHA-256 over every byte): no decrypt, no parse.
      return { ...this.#state, stamp: snapshot.stamp };
    }
    const decoded = decodeWithDataKey(snapshot.bytes, this.#state, this.#keyBytes, lbl);
    return { ...decoded, document: deepFreeze(decoded.document), stamp: snapshot.stamp };
  }
}

/**
 * Keep the generation `read` under a temp name in the vault directory, to become the backup
 * once the new generation is in place: a hard link to vault.vlt when that is still the inode
 * that was read, else (vault.vlt is a symlink, or no hard links here) a copy of the verified
 * bytes. A backup is therefore never a link to the live file and always a whole generation.
 */
async function holdGeneration(paths: VaultPaths, read: Snapshot): Promise<string> {
  const temp = tempNameFor(paths.backupFile);
  const info = await lstat(paths.vaultFile);
  if (info.isFile()) {
    try {
      await link(paths.vaultFile, temp);
      const linked = await lstat(temp, { bigint: true });
      if (linked.ino === read.stamp.ino && linked.size === read.stamp.size) return temp;
      await rm(temp, { force: true });
      throw changedWhilePaused(paths);
    } catch (error) {
      if ((error as { code?: string }).code === "VAULT_CHANGED") throw error;
      await rm(temp, { force: true });
      // No hard links on this file system: copy instead.
    }
  }
  const copy = await writeTemp(paths.backupFile, read.bytes);
  return copy;
}

/** Whether vault.vlt (followed through a symlink) still holds the generation `read`. */
async function stillGeneration(file: string, read: Snapshot): Promise<boolean> {
  const expected = storedChecksum(read.bytes);
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, "r");
  } catch {
    return false;
  }
  try {
    const head = Buffer.alloc(64);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const now = storedChecksum(head.subarray(0, bytesRead));
    return expected !== undefined && now?.equals(expected) === true;
  } finally {
    await handle.close();
  }
}

function changedWhilePaused(paths: VaultPaths) {
  return vaultlinkError(
    "VAULT_CHANGED",
    "The vault changed while this command was paused (another vaultlink process wrote it after this one's lock went stale); nothing was written.",
    {
      hint: "Run the command again: it will apply the change to the current vault.",
      details: { file: paths.vaultFile },
    },
  );
}

async function readSnapshot(paths: VaultPaths): Promise<Snapshot> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(paths.vaultFile, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") throw await vaultNotFoundError(paths);
    throw error;
  }
  try {
    const stamp = toStamp(await handle.stat({ bigint: true }));
    const bytes = await handle.readFile();
    return { bytes, stamp };
  } finally {
    await handle.close();
  }
}

async function readFileFollowing(file: string): Promise<Buffer> {
  const handle = await open(file, "r");
  try {
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

async function fileExists(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}

/** Deep equality of two JSON documents, ignoring prototypes and key order. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => sameJson(v, bb[i]));
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const ka = Object.keys(ra).filter((k) => ra[k] !== undefined);
  const kb = Object.keys(rb).filter((k) => rb[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.hasOwn(rb, k) && sameJson(ra[k], rb[k]));
}

function toStamp(info: { ino: bigint; size: bigint; mtimeNs: bigint; ctimeNs: bigint }): Stamp {
  return { ino: info.ino, size: info.size, mtimeNs: info.mtimeNs, ctimeNs: info.ctimeNs };
}

function sameStamp(a: Stamp, b: Stamp): boolean {
  return a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;
}

function label(paths: VaultPaths): FileLabel {
  return { file: paths.vaultFile, backupFile: paths.backupFile };
}

/** VAULT_NOT_FOUND for a missing vault.vlt, saying so when a backup is there to restore. */
export async function vaultNotFoundError(paths: VaultPaths) {
  return notFound(paths, await fileExists(paths.backupFile).catch(() => false));
}

function notFound(paths: VaultPaths, backup: boolean) {
  if (backup) {
    return vaultlinkError(
      "VAULT_NOT_FOUND",
      `The vault file ${paths.vaultFile} is missing, but its backup ${paths.backupFile} (the previous generation) is there.`,
      {
        hint: "Restore it with `vaultlink vault restore` (it checks that the backup opens with your vault key first). Creating a new vault here is refused so the backup is not lost.",
        details: { file: paths.vaultFile, backup: paths.backupFile },
      },
    );
  }
  return vaultlinkError("VAULT_NOT_FOUND", `There is no vault in ${paths.dir}.`, {
    hint: "Create one with `vaultlink vault create` (or set VAULTLINK_HOME to the directory of an existing vault).",
    details: { file: paths.vaultFile },
  });
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}
