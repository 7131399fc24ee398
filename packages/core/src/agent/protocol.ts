/**
 * The agent's wire protocol: newline-delimited JSON over a Unix socket. One request per line,
 * one response per line, matched by `id`. Every request carries the per-start token from the
 * agent's info file. Shared by the client and the server; no I/O and no dependencies here.
 */

export const AGENT_PROTOCOL_VERSION = 1;
/** Longest line either side accepts (a template of a few MiB is already unusual). */
export const MAX_LINE_BYTES = 4 * 1024 * 1024;
/**
 * While a connection has requests being answered, the agent sends a keep-alive line this often
 * (`{"id":null,"ok":true,"result":{"working":true}}`), so a client tells a slow provider from
 * an agent that stopped (SIGSTOP) or hangs. Advertised in the info file as `heartbeatMs`.
 */
export const AGENT_HEARTBEAT_MS = 2_000;
/** A client with requests pending gives up on an agent silent this long (heartbeats missed). */
export const AGENT_SILENCE_MS = 15_000;

/** Most names one `resolveMany` may ask for. */
export const MAX_NAMES = 10_000;
/**
 * Most clients connected at once. A client past it takes the place of the longest-connected
 * idle one (no request in flight: a kept connection, or a half-sent line); when every one is
 * busy it is answered AGENT_BUSY and closed.
 */
export const MAX_CONNECTIONS = 256;

export type AgentOp =
  | "status"
  | "resolve"
  | "resolveMany"
  | "resolveForMatching"
  | "template"
  | "reload"
  | "connect"
  | "reauth"
  | "ui"
  | "integrations"
  | "stop";

export interface AgentRequest {
  v: typeof AGENT_PROTOCOL_VERSION;
  id: number;
  token: string;
  op: AgentOp;
  name?: string;
  names?: string[];
  text?: string;
  url?: string;
}

export interface AgentErrorBody {
  code: string;
  message: string;
  hint?: string;
}

export type AgentResponse =
  | { id: number; ok: true; result: unknown }
  | { id: number | null; ok: false; error: AgentErrorBody };

/** What `status` answers. */
export interface AgentStatus {
  pid: number;
  home: string;
  socket: string;
  startedAt: string;
  unlocked: boolean;
  version: string;
  /** Clients connected right now (this one included). */
  connections: number;
}

/** What `ui` answers: the vault screen the agent serves (the launch address signs in once). */
export interface AgentUiScreen {
  url: string;
  launchUrl: string;
  /**
   * A file (0600) that forwards to the launch address, for the browser to be opened on, so
   * the token is not in the browser's arguments; absent when the agent could not write it.
   */
  launchPage?: string;
}

/** The info file (`agent.json`, 0600): how clients find and authenticate to the agent. */
export interface AgentInfo {
  v: typeof AGENT_PROTOCOL_VERSION;
  pid: number;
  socket: string;
  token: string;
  startedAt: string;
  home: string;
  version: string;
  /** The agent's keep-alive interval (agents before it have none: clients wait as before). */
  heartbeatMs?: number;
}

/** Parse an info file's text; undefined when it is not one (a client then treats it as absent). */
export function parseAgentInfo(text: string): AgentInfo | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof v !== "object" || v === null) return undefined;
  const o = v as Record<string, unknown>;
  if (o.v !== AGENT_PROTOCOL_VERSION) return undefined;
  if (!Number.isInteger(o.pid) || (o.pid as number) <= 0) return undefined;
  for (const k of ["socket", "token", "startedAt", "home", "version"])
    if (typeof o[k] !== "string" || o[k] === "") return undefined;
  const { heartbeatMs, ...rest } = o;
  const beat =
    Number.isSafeInteger(heartbeatMs) && (heartbeatMs as number) > 0
      ? { heartbeatMs: heartbeatMs as number }
      : {};
  return { ...rest, ...beat } as unknown as AgentInfo;
}
