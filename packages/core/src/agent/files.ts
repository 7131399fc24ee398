import { randomBytes } from "node:crypto";
import { openSync } from "node:fs";
import { lstat, mkdir, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { vaultlinkError } from "../errors/index.js";
import { commitTemp, writeTemp } from "../vault/durable-file.js";
import { DIR_MODE } from "../vault/paths.js";
import type { AgentPaths } from "./paths.js";
import { MAX_SOCKET_PATH_BYTES } from "./paths.js";
import { AGENT_HEARTBEAT_MS, AGENT_PROTOCOL_VERSION, type AgentInfo } from "./protocol.js";

/**
 * Create the agent's directory (and, under XDG_RUNTIME_DIR, its `vaultlink` parent) with mode
 * 0700, or check an existing one: a real directory (not a symlink) of this user that nobody else
 * may enter. Its permissions are what keeps other users from the socket: the kernel checks them
 * on every connect. Refuses socket paths longer than the system accepts.
 */
export async function prepareAgentDir(paths: AgentPaths): Promise<void> {
  if (process.platform !== "win32" && Buffer.byteLength(paths.socket) > MAX_SOCKET_PATH_BYTES) {
    throw vaultlinkError(
      "INVALID_SETTING",
      `The agent's socket path ${paths.socket} is longer than Unix sockets allow (${MAX_SOCKET_PATH_BYTES} bytes).`,
      {
        hint: "Set XDG_RUNTIME_DIR to a short directory of yours, or use a shorter VAULTLINK_HOME.",
      },
    );
  }
  for (const dir of [dirname(paths.dir), paths.dir]) {
    if (dir === paths.home || dir === dirname(paths.home)) continue; // the vault's own checks
    await mkdir(dir, { recursive: true, mode: DIR_MODE });
    await checkPrivateDir(dir);
  }
}

async function checkPrivateDir(dir: string): Promise<void> {
  if (process.platform === "win32") return;
  const info = await lstat(dir);
  const uid = process.getuid?.();
  const problems: string[] = [];
  if (info.isSymbolicLink()) problems.push("it is a symbolic link");
  else if (!info.isDirectory()) problems.push("it is not a directory");
  if (uid !== undefined && info.uid !== uid) problems.push(`it belongs to uid ${info.uid}`);
  if (problems.length > 0) {
    throw vaultlinkError(
      "VAULT_HOME_UNSAFE",
      `The agent's directory ${dir} is not safe for its socket: ${problems.join("; ")}.`,
      { hint: "Remove it (it holds nothing but the agent's socket and info) and start again." },
    );
  }
  if ((info.mode & 0o077) !== 0) {
    const { chmod } = await import("node:fs/promises");
    await chmod(dir, DIR_MODE);
  }
}

/** A new per-start token: 32 random bytes, base64url. */
export function newAgentToken(): string {
  return randomBytes(32).toString("base64url");
}

/** Write the info file atomically with mode 0600. */
export async function writeAgentInfo(
  paths: AgentPaths,
  info: Omit<AgentInfo, "v" | "heartbeatMs">,
): Promise<void> {
  // The AgentServer sends keep-alives at this interval (clients rely on it to spot a hang).
  const full = { v: AGENT_PROTOCOL_VERSION, ...info, heartbeatMs: AGENT_HEARTBEAT_MS };
  const bytes = Buffer.from(`${JSON.stringify(full)}\n`);
  await commitTemp(await writeTemp(paths.info, bytes), paths.info);
}

/** Remove the socket and info file (a stopped agent's, or stale ones of a dead agent). */
export async function removeAgentFiles(paths: AgentPaths): Promise<void> {
  await rm(paths.info, { force: true });
  if (process.platform !== "win32") await rm(paths.socket, { force: true });
}

/**
 * Run `fn` while holding the agent's start lock, so two starting agents cannot both decide the
 * socket is free (one would remove the other's socket). A lock left by a killed starter goes
 * stale after 20 s.
 */
export async function withAgentStartLock<T>(paths: AgentPaths, fn: () => Promise<T>): Promise<T> {
  // Imported when used: at load it hooks the process's signals (signal-exit), which would keep
  // the CLI's own Ctrl-C handling from ending commands that never take a lock.
  const lockfile = (await import("proper-lockfile")).default;
  const release = await lockfile.lock(paths.dir, {
    lockfilePath: `${paths.startLock}.lock`,
    stale: 20_000,
    retries: { retries: 60, minTimeout: 100, maxTimeout: 1000 },
    realpath: false,
  });
  try {
    return await fn();
  } finally {
    await release().catch(() => {});
  }
}

/** Open the agent's log for appending, mode 0600. */
export function openAgentLog(paths: AgentPaths): number {
  return openSync(paths.log, "a", 0o600);
}
