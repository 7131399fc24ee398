import { randomBytes } from "node:crypto";
import { link, open, readdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { vaultlinkError } from "../errors/index.js";
import { draftDocument } from "./cow.js";
import { deriveKey } from "./crypto.js";
import { ensureVaultDir, tightenMode } from "./dir.js";
import { checkVaultDocument } from "./document-check.js";
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
import { acquireVaultLock, type LockOptions } from "./lock.js";
import { emptyDocument, type VaultDocument } from "./model.js";
import {
  BACKUP_FILE_NAME,
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
  if (
    typeof options !== "object" ||
    options === null ||
    (options as { confirm?: unknown }).confirm !== true
  ) {
    throw vaultlinkError(
      "CONFIRMATION_REQUIRED",
      "Resetting the vault destroys every secret, link, integration, the backup and the cache; it needs explicit confirmation.",
      {
        hint: "Confirm the reset (vaultlink vault reset --yes), or pass { confirm: true } when embedding.",
      },
    );
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
      await removeLeftovers(this.paths.dir);
      return await this.#createLocked();
    } finally {
      await release();
    }
  }

  async #prepareExisting(): Promise<void> {
    try {
      await stat(this.paths.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") throw notFound(this.paths);
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
    await writeDurably(this.paths.vaultFile, bytes);
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
      if ((error as NodeJS.ErrnoException).code === "ENOENT") throw notFound(this.paths);
      throw error;
    }
    if (sameStamp(current, this.#state.stamp)) return this.#state.document;
    const snapshot = await readSnapshot(this.paths);
    this.#state = this.#decode(snapshot);
    return this.#state.document;
  }

  async update<T>(change: (doc: VaultDocument) => T | Promise<T>): Promise<T> {
    const release = await acquireVaultLock(this.paths.dir, this.#lock);
    try {
      await removeLeftovers(this.paths.dir);
      // Always read the bytes under the lock: a file damaged behind our back must be refused,
      // never overwritten, even if its size and times look unchanged.
      const snapshot = await readSnapshot(this.paths);
      const fresh = this.#decode(snapshot);
      this.#state = fresh;
      const { draft, finish } = draftDocument(fresh.document);
      const result = await change(draft);
      const next = finish();
      const check = checkVaultDocument(next, { checkedSecrets: fresh.document.secrets });
      if (!check.ok) {
        throw vaultlinkError(
          "INVALID_INPUT",
          `The change would leave the vault document invalid (${check.problems.join("; ")}).`,
          { hint: "Nothing was written; fix the change and retry." },
        );
      }
      const bytes = encodeVaultFile(fresh.header, fresh.dataKey, check.document);
      await keepBackup(this.paths, snapshot.bytes);
      await writeDurably(this.paths.vaultFile, bytes);
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

async function readSnapshot(paths: VaultPaths): Promise<Snapshot> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(paths.vaultFile, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") throw notFound(paths);
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

/** Make the current (verified) generation the backup, atomically: hard link + rename. */
async function keepBackup(paths: VaultPaths, currentBytes: Buffer): Promise<void> {
  const temp = join(
    paths.dir,
    `${BACKUP_FILE_NAME}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`,
  );
  try {
    await link(paths.vaultFile, temp);
  } catch {
    // No hard links here (some network or FAT file systems): copy instead.
    await writeDurably(paths.backupFile, currentBytes);
    return;
  }
  try {
    await rename(temp, paths.backupFile);
  } finally {
    // When the backup already is a hard link to the current file (a writer was killed between
    // keeping the backup and replacing the vault), rename() succeeds without doing anything
    // (POSIX) and the temp name stays behind: remove it either way.
    await rm(temp, { force: true });
  }
}

async function writeDurably(file: string, bytes: Uint8Array): Promise<void> {
  await (await import("write-file-atomic")).default(
    file,
    Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length),
    {
      mode: FILE_MODE,
      fsync: true,
    },
  );
  await fsyncDir(join(file, ".."));
}

async function fsyncDir(dir: string): Promise<void> {
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

const LEFTOVER = new RegExp(
  `^(${escape(VAULT_FILE_NAME)}\\.\\d+|${escape(BACKUP_FILE_NAME)}\\.\\d+\\.[0-9a-f]+\\.tmp)$`,
);

/** Temp files of writers killed mid-write. Only called under the lock, so none is live. */
async function removeLeftovers(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (LEFTOVER.test(name)) await rm(join(dir, name), { force: true }).catch(() => {});
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
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

function notFound(paths: VaultPaths) {
  return vaultlinkError("VAULT_NOT_FOUND", `No vault exists in ${paths.dir}.`, {
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
