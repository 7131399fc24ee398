import { createHash } from "node:crypto";
import { isAbsolute, join } from "node:path";
import { resolveVaultPaths } from "../vault/paths.js";

/** Where the agent of one vault home keeps its socket, its info file and its log. */
export interface AgentPaths {
  /** The vault directory this agent serves. */
  home: string;
  /** 16 hex digits of SHA-256(home): tells the agents of different vault homes apart. */
  id: string;
  /** A directory only this user may enter (0700): the socket's real protection. */
  dir: string;
  /** The Unix socket (a named pipe name on Windows). */
  socket: string;
  /** `agent.json` (0600): pid, socket and the per-start token clients must present. */
  info: string;
  /** What a started (detached) agent writes: lifecycle lines only, never a value. */
  log: string;
  /** Held while an agent starts, so two starts cannot both take the socket. */
  startLock: string;
}

export interface AgentPathsOptions {
  /** The vault directory. Default: VAULTLINK_HOME, else the user's data directory. */
  home?: string;
  env?: Record<string, string | undefined>;
  platform?: NodeJS.Platform;
}

/** Longest Unix socket path most systems accept (sun_path is 104 bytes on macOS, 108 on Linux). */
export const MAX_SOCKET_PATH_BYTES = 103;

/**
 * The agent's files: in `$XDG_RUNTIME_DIR/vaultlink/<id>/` when XDG_RUNTIME_DIR is set (a
 * per-user tmpfs the system empties at logout), else in `<vault home>/agent/`. No I/O here: the
 * quick read path calls this and then makes a single existence check of the socket.
 */
export function agentPaths(options: AgentPathsOptions = {}): AgentPaths {
  const env = options.env ?? process.env;
  const home = resolveVaultPaths({ env, ...(options.home ? { home: options.home } : {}) }).dir;
  const id = createHash("sha256").update(home).digest("hex").slice(0, 16);
  const runtime = env.XDG_RUNTIME_DIR?.trim();
  const dir = runtime && isAbsolute(runtime) ? join(runtime, "vaultlink", id) : join(home, "agent");
  const platform = options.platform ?? process.platform;
  const socket =
    platform === "win32" ? `\\\\.\\pipe\\vaultlink-agent-${id}` : join(dir, "agent.sock");
  return {
    home,
    id,
    dir,
    socket,
    info: join(dir, "agent.json"),
    log: join(dir, "agent.log"),
    startLock: join(dir, "start"),
  };
}
