import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createConnection, type Socket } from "node:net";
import type {
  MatchableResolution,
  Resolution,
  ResolveOptions,
  TemplateResult,
} from "../engine/resolver.js";
import type { IntegrationInfo } from "../integrations/integration-view.js";
import { type AgentPaths, type AgentPathsOptions, agentPaths } from "./paths.js";
import {
  AGENT_PROTOCOL_VERSION,
  AGENT_SILENCE_MS,
  type AgentErrorBody,
  type AgentInfo,
  type AgentOp,
  type AgentResponse,
  type AgentStatus,
  MAX_LINE_BYTES,
  parseAgentInfo,
} from "./protocol.js";

/** An error the agent answered with (its code, message and hint), or a broken connection. */
export class AgentError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  constructor(body: AgentErrorBody) {
    super(body.message);
    this.name = "AgentError";
    this.code = body.code;
    this.hint = body.hint;
  }
}

export interface AgentConnectOptions extends AgentPathsOptions {
  /** Paths already computed (otherwise from `home`/`env`). */
  paths?: AgentPaths;
  /** How long connecting and the first answer may take. Default 10 s. */
  connectTimeoutMs?: number;
  /**
   * Give up on pending requests after the agent sent nothing (not even a keep-alive) this long.
   * Default AGENT_SILENCE_MS (15 s); only for agents that advertise keep-alives.
   */
  silenceMs?: number;
}

/** Where an agent stands, as `probeAgent` finds it. */
export type AgentProbe =
  | { state: "none"; paths: AgentPaths }
  /** Files of an agent that is gone (no one listens on the socket). */
  | { state: "stale"; paths: AgentPaths; info?: AgentInfo }
  /** Someone listens but does not answer in time (stopped with SIGSTOP, say). */
  | { state: "unresponsive"; paths: AgentPaths; info?: AgentInfo }
  | { state: "running"; paths: AgentPaths; info: AgentInfo; status: AgentStatus };

/** Longest wait for a resolve: core's longest provider deadline (600 s) plus a minute. */
const RESOLVE_WAIT_MS = 660_000;

/** The socket refused or vanished: no process listens there any more. */
const GONE = new Set(["ECONNREFUSED", "ENOENT", "ENOTSOCK"]);

/**
 * A connection to a running agent. Requests may overlap; answers are matched by id. Values
 * cross the socket (that is the point); the socket sits in a 0700 directory and every request
 * carries the per-start token from the 0600 info file.
 */
export class AgentClient {
  #socket: Socket;
  #token: string;
  #nextId = 1;
  #pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void; timer?: NodeJS.Timeout }
  >();
  #buffer: Buffer[] = [];
  #buffered = 0;
  #closed: Error | undefined;
  /** When the agent last sent anything (keep-alives included), while requests are pending. */
  #heardAt = 0;
  #watchdog: NodeJS.Timeout | undefined;
  readonly info: AgentInfo;

  #silenceMs: number | undefined;

  private constructor(socket: Socket, info: AgentInfo, silenceMs?: number) {
    this.#silenceMs = silenceMs;
    this.#socket = socket;
    this.#token = info.token;
    this.info = info;
    socket.on("data", (chunk: Buffer) => {
      this.#heardAt = Date.now();
      this.#data(chunk);
    });
    const fail = (error?: Error) => {
      this.#fail(
        new AgentError({
          code: "AGENT_UNREACHABLE",
          message: `The connection to the vaultlink agent ended${error ? ` (${(error as NodeJS.ErrnoException).code ?? error.message})` : ""}.`,
          hint: "See vaultlink agent status; start it again with vaultlink agent start.",
        }),
      );
    };
    socket.on("error", fail);
    socket.on("close", () => fail());
  }

  /**
   * Connect to the agent of this vault home. Undefined when none runs there (no socket file, or
   * a socket nobody listens on). The socket's existence is checked first, so without an agent
   * this costs one `existsSync`.
   */
  static async connect(options: AgentConnectOptions = {}): Promise<AgentClient | undefined> {
    const paths = options.paths ?? agentPaths(options);
    if (!existsSync(paths.socket)) return undefined;
    const info = await readInfo(paths);
    if (info === undefined) return undefined;
    const socket = await openSocket(paths.socket, options.connectTimeoutMs ?? 10_000);
    if (socket === undefined) return undefined;
    return new AgentClient(socket, info, options.silenceMs);
  }

  /** Resolve one secret through the agent (the agent's cache, sessions and singleflight). */
  resolve(name: string, options: ResolveOptions = {}): Promise<Resolution> {
    return this.request("resolve", { name, ...url(options) }) as Promise<Resolution>;
  }

  resolveMany(names: readonly string[], options: ResolveOptions = {}): Promise<Resolution[]> {
    return this.request("resolveMany", { names: [...names], ...url(options) }) as Promise<
      Resolution[]
    >;
  }

  /** Values with their allowed domains, for a host that matches each request's URL itself. */
  resolveForMatching(names: readonly string[]): Promise<MatchableResolution[]> {
    return this.request("resolveForMatching", { names: [...names] }) as Promise<
      MatchableResolution[]
    >;
  }

  resolveTemplate(text: string, options: ResolveOptions = {}): Promise<TemplateResult> {
    return this.request("template", { text, ...url(options) }) as Promise<TemplateResult>;
  }

  status(timeoutMs?: number): Promise<AgentStatus> {
    return this.request("status", {}, timeoutMs) as Promise<AgentStatus>;
  }

  /**
   * Connect an integration inside the agent (memory-only sign-ins: the credentials stay in the
   * agent's memory). Non-interactive sign-in methods only: nobody sees the agent's prompts.
   */
  connect(input: {
    provider: string;
    id?: string;
    method?: string;
    options?: Record<string, unknown>;
  }): Promise<IntegrationInfo> {
    return this.request("connect", { input }, RESOLVE_WAIT_MS) as Promise<IntegrationInfo>;
  }

  /** Sign in again inside the agent (see `connect`). */
  reauthenticate(
    id: string,
    input: { method?: string; options?: Record<string, unknown> },
  ): Promise<IntegrationInfo> {
    return this.request(
      "reauth",
      { integration: id, input },
      RESOLVE_WAIT_MS,
    ) as Promise<IntegrationInfo>;
  }

  /** The integrations as the agent sees them (its memory holds memory-only sign-ins). */
  integrations(): Promise<IntegrationInfo[]> {
    return this.request("integrations", {}) as Promise<IntegrationInfo[]>;
  }

  /** Tell the agent the vault or cache files changed under it (another process wrote them). */
  reload(): Promise<void> {
    return this.request("reload", {}).then(() => undefined);
  }

  /** Ask the agent to clear its memory, remove its socket and exit. */
  stop(): Promise<void> {
    return this.request("stop", {}).then(() => undefined);
  }

  /** The connection has ended (the agent stopped, or closed this idle connection for room). */
  get closed(): boolean {
    return this.#closed !== undefined;
  }

  close(): void {
    clearTimeout(this.#watchdog);
    this.#watchdog = undefined;
    this.#socket.end();
    this.#socket.destroy();
  }

  /**
   * One request. `timeoutMs` bounds the wait (default: 11 minutes for resolving, past the
   * longest provider deadline the agent enforces, so only a stopped agent hits it; 30 s for
   * status and control requests).
   */
  request(op: AgentOp, params: Record<string, unknown>, timeoutMs?: number): Promise<unknown> {
    if (this.#closed) return Promise.reject(this.#closed);
    const id = this.#nextId++;
    const line = `${JSON.stringify({ v: AGENT_PROTOCOL_VERSION, id, token: this.#token, op, ...params })}\n`;
    if (Buffer.byteLength(line) > MAX_LINE_BYTES) {
      return Promise.reject(
        new AgentError({
          code: "INVALID_INPUT",
          message: `The request is larger than the agent accepts (${MAX_LINE_BYTES} bytes).`,
          hint: "Resolve the text in parts, or without the agent (vaultlink agent stop).",
        }),
      );
    }
    const limit =
      timeoutMs ??
      (op === "resolve" || op === "resolveMany" || op === "resolveForMatching" || op === "template"
        ? RESOLVE_WAIT_MS
        : 30_000);
    return new Promise((resolve, reject) => {
      const entry: {
        resolve: (v: unknown) => void;
        reject: (e: Error) => void;
        timer?: NodeJS.Timeout;
      } = {
        resolve,
        reject,
      };
      if (limit !== undefined) {
        entry.timer = setTimeout(() => {
          this.#pending.delete(id);
          reject(
            new AgentError({
              code: "AGENT_UNRESPONSIVE",
              message: `The vaultlink agent (pid ${this.info.pid}) did not answer within ${Math.round(limit / 1000)} s.`,
              hint: "See vaultlink agent status; stop it with vaultlink agent stop.",
            }),
          );
        }, limit);
      }
      if (this.#pending.size === 0) this.#heardAt = Date.now();
      this.#pending.set(id, entry);
      this.#watch();
      this.#socket.write(line);
    });
  }

  /**
   * An agent that advertises keep-alives and sends nothing for AGENT_SILENCE_MS while requests
   * are pending is stopped (SIGSTOP) or hung: fail them rather than wait out the resolve limit.
   */
  #watch(): void {
    const beat = this.info.heartbeatMs;
    if (beat === undefined || this.#watchdog !== undefined) return;
    const silence = this.#silenceMs ?? Math.max(AGENT_SILENCE_MS, beat * 5);
    const check = () => {
      this.#watchdog = undefined;
      if (this.#pending.size === 0 || this.#closed) return;
      const quiet = Date.now() - this.#heardAt;
      if (quiet >= silence) {
        this.#fail(
          new AgentError({
            code: "AGENT_UNRESPONSIVE",
            message: `The vaultlink agent (pid ${this.info.pid}) has sent nothing for ${Math.round(quiet / 1000)} s; it may be stopped (SIGSTOP) or hung.`,
            hint: `See vaultlink agent status; continue it (kill -CONT ${this.info.pid}) or stop it (vaultlink agent stop).`,
          }),
        );
        this.close();
        return;
      }
      this.#watchdog = setTimeout(check, Math.min(silence - quiet + 50, silence));
      this.#watchdog.unref();
    };
    this.#watchdog = setTimeout(check, silence);
    this.#watchdog.unref();
  }

  #data(chunk: Buffer): void {
    let start = 0;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, start)) {
      this.#buffer.push(chunk.subarray(start, i));
      const line = Buffer.concat(this.#buffer).toString("utf8");
      this.#buffer = [];
      this.#buffered = 0;
      start = i + 1;
      this.#answer(line);
    }
    if (start < chunk.length) {
      this.#buffer.push(chunk.subarray(start));
      this.#buffered += chunk.length - start;
      if (this.#buffered > MAX_LINE_BYTES) {
        this.#fail(
          new AgentError({
            code: "AGENT_PROTOCOL",
            message: "The agent sent an oversized answer.",
          }),
        );
        this.close();
      }
    }
  }

  #answer(line: string): void {
    let msg: AgentResponse;
    try {
      msg = JSON.parse(line) as AgentResponse;
    } catch {
      this.#fail(
        new AgentError({ code: "AGENT_PROTOCOL", message: "The agent sent a malformed answer." }),
      );
      this.close();
      return;
    }
    if (msg.id === null || typeof msg.id !== "number") {
      // An answer to no request: the agent refused the connection as a whole.
      if (!msg.ok) this.#fail(new AgentError(msg.error));
      return;
    }
    const entry = this.#pending.get(msg.id);
    if (!entry) return;
    this.#pending.delete(msg.id);
    if (entry.timer) clearTimeout(entry.timer);
    if (msg.ok) entry.resolve(msg.result);
    else entry.reject(new AgentError(msg.error));
  }

  #fail(error: Error): void {
    this.#closed ??= error;
    for (const [id, entry] of this.#pending) {
      this.#pending.delete(id);
      if (entry.timer) clearTimeout(entry.timer);
      entry.reject(error);
    }
  }
}

function url(options: ResolveOptions): { url?: string } {
  return options.url !== undefined ? { url: options.url } : {};
}

/** The info file, or undefined when missing or malformed. */
export async function readInfo(paths: AgentPaths): Promise<AgentInfo | undefined> {
  let text: string;
  try {
    text = await readFile(paths.info, "utf8");
  } catch {
    return undefined;
  }
  return parseAgentInfo(text);
}

/** A connected socket, or undefined when nobody listens; other failures are thrown. */
function openSocket(path: string, timeoutMs: number): Promise<Socket | undefined> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ path });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new AgentError({
          code: "AGENT_UNRESPONSIVE",
          message: `The vaultlink agent's socket ${path} did not accept a connection within ${Math.round(timeoutMs / 1000)} s.`,
          hint: "See vaultlink agent status.",
        }),
      );
    }, timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.removeAllListeners("error");
      resolve(socket);
    });
    socket.once("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (GONE.has(error.code ?? "")) resolve(undefined);
      else
        reject(
          new AgentError({
            code: "AGENT_UNREACHABLE",
            message: `Cannot connect to the vaultlink agent's socket ${path} (${error.code ?? error.message}).`,
            hint: "The socket must belong to you; see vaultlink agent status.",
          }),
        );
    });
  });
}

/**
 * Where the agent of this vault home stands: not there, stale files of a dead one, running
 * (with its status), or holding the socket without answering.
 */
export async function probeAgent(
  options: AgentConnectOptions & { timeoutMs?: number } = {},
): Promise<AgentProbe> {
  const paths = options.paths ?? agentPaths(options);
  const info = await readInfo(paths);
  if (!existsSync(paths.socket)) {
    return info !== undefined ? { state: "stale", paths, info } : { state: "none", paths };
  }
  const timeoutMs = options.timeoutMs ?? 10_000;
  let client: AgentClient | undefined;
  try {
    client = await AgentClient.connect({ paths, connectTimeoutMs: timeoutMs });
  } catch (error) {
    if ((error as AgentError).code === "AGENT_UNRESPONSIVE")
      return { state: "unresponsive", paths, ...(info ? { info } : {}) };
    throw error;
  }
  if (client === undefined) {
    // A socket file but no info file may be an agent between listen and writing its info.
    if (info === undefined && (await listening(paths.socket)))
      return { state: "unresponsive", paths };
    return { state: "stale", paths, ...(info ? { info } : {}) };
  }
  try {
    const status = await client.status(timeoutMs);
    return { state: "running", paths, info: client.info, status };
  } catch (error) {
    if ((error as AgentError).code === "AGENT_UNRESPONSIVE")
      return { state: "unresponsive", paths, info: client.info };
    throw error;
  } finally {
    client.close();
  }
}

function listening(path: string): Promise<boolean> {
  return openSocket(path, 5_000).then(
    (s) => {
      s?.destroy();
      return s !== undefined;
    },
    () => false,
  );
}
