import { createHash, timingSafeEqual } from "node:crypto";
import { chmod } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import type { ResolveOptions } from "../engine/resolver.js";
import type { Vault } from "../engine/vault.js";
import { isVaultlinkError, vaultlinkError } from "../errors/index.js";
import {
  AGENT_HEARTBEAT_MS,
  type AgentErrorBody,
  type AgentResponse,
  type AgentStatus,
  type AgentUiScreen,
  MAX_CONNECTIONS,
  MAX_LINE_BYTES,
} from "./protocol.js";

const WORKING = `${JSON.stringify({ id: null, ok: true, result: { working: true } })}\n`;

/** Clients that may wait for a free connection during a burst; more are answered AGENT_BUSY. */
const MAX_WAITING = 4_096;
/**
 * A connection with no request in flight that completed no request line for this long may be
 * closed to make room: an embedder's kept connection, or one that sent half a line and went
 * silent. Clients send a request as one line right after connecting.
 */
const IDLE_AFTER_MS = 1_000;

import { agentRequestSchema, type ValidAgentRequest } from "./schema.js";

export interface AgentServerOptions {
  /** The unlocked vault the agent serves. */
  vault: Vault;
  socket: string;
  /** The per-start token every request must carry. */
  token: string;
  home: string;
  version: string;
  /** Called after a client asked the agent to stop (its answer is sent first). */
  onStop: () => void;
  /** Lifecycle lines (never a value, a name or a token). */
  log?: (line: string) => void;
  /** A connection silent this long is closed. Default 10 minutes. */
  idleMs?: number;
  /**
   * Start a vault screen on this agent's open vault (the host brings the web server; core has
   * none). Without it, `ui` requests are refused and `vaultlink ui` runs on its own.
   */
  startUi?: (options: { idleMinutes?: number }) => Promise<AgentUiScreen>;
}

/**
 * The agent's server side: accepts connections on the Unix socket, checks the token of every
 * request, validates it (zod) and answers from the vault. Values go only to a client that
 * presented the token; nothing a client sends is logged.
 */
export class AgentServer {
  #server: Server;
  #sockets = new Set<Socket>();
  /** Requests being answered, per connection (a connection without any is idle). */
  #inFlight = new WeakMap<Socket, number>();
  /** When each connection was accepted or last completed a request line. */
  #lineAt = new WeakMap<Socket, number>();
  /** Clients past MAX_CONNECTIONS, not read yet, in the order they came. */
  #waiting: Socket[] = [];
  #evictTimer: NodeJS.Timeout | undefined;
  #closing = false;
  #heartbeat: NodeJS.Timeout | undefined;
  /** Called when the last request in flight has been answered during `close(drainMs)`. */
  #drained: (() => void) | undefined;
  #refused = new WeakSet<Socket>();
  #token: Buffer;
  #startedAt = new Date().toISOString();
  #options: AgentServerOptions;
  #log: (line: string) => void;

  constructor(options: AgentServerOptions) {
    this.#options = options;
    // The agent answers from its own vault: never through an agent (that would be itself).
    options.vault.useAgent(false);
    this.#token = digest(options.token);
    this.#log = options.log ?? (() => {});
    // No `maxConnections`: Node would drop the connections past it without a word (the client
    // sees EPIPE). #accept makes room or says why not.
    this.#server = createServer({ allowHalfOpen: false }, (socket) => this.#accept(socket));
  }

  /** Listen on the socket (mode 0600 once created; its directory must already be 0700). */
  async listen(): Promise<void> {
    const path = this.#options.socket;
    const previous = process.umask(0o177);
    try {
      await new Promise<void>((resolve, reject) => {
        this.#server.once("error", reject);
        this.#server.listen(path, () => {
          this.#server.off("error", reject);
          resolve();
        });
      });
    } finally {
      process.umask(previous);
    }
    if (process.platform !== "win32") await chmod(path, 0o600);
    this.#heartbeat = setInterval(() => this.#beat(), AGENT_HEARTBEAT_MS);
    this.#heartbeat.unref();
    this.#server.on("error", (error) =>
      this.#log(`server error: ${(error as NodeJS.ErrnoException).code ?? "unknown"}`),
    );
  }

  /**
   * Stop accepting and close every connection. With `drainMs`, requests already being answered
   * get that long to finish first (their answers go out; `agent stop` during a burst of reads
   * fails none of them that the vault can still answer); idle connections close at once.
   */
  async close(drainMs = 0): Promise<void> {
    this.#closing = true;
    clearTimeout(this.#evictTimer);
    clearInterval(this.#heartbeat);
    for (const s of this.#waiting.splice(0)) s.destroy();
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const s of this.#sockets) if ((this.#inFlight.get(s) ?? 0) === 0) s.destroy();
    if (drainMs > 0 && this.#busy() > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, drainMs);
        this.#drained = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    this.#drained = undefined;
    for (const s of this.#sockets) s.destroy();
    await closed;
  }

  /** A keep-alive line to every connection waiting for an answer (see AGENT_HEARTBEAT_MS). */
  #beat(): void {
    for (const s of this.#sockets) {
      if ((this.#inFlight.get(s) ?? 0) > 0 && !this.#refused.has(s) && s.writable) s.write(WORKING);
    }
  }

  /** Requests being answered on all connections. */
  #busy(): number {
    let n = 0;
    for (const s of this.#sockets) n += this.#inFlight.get(s) ?? 0;
    return n;
  }

  #accept(socket: Socket): void {
    socket.on("error", () => socket.destroy());
    socket.setTimeout(this.#options.idleMs ?? 600_000, () => socket.destroy());
    if (this.#sockets.size < MAX_CONNECTIONS || this.#evictIdle()) {
      this.#serve(socket);
      return;
    }
    if (this.#waiting.length >= MAX_WAITING) {
      this.#log("refused a client: too many clients wait for the agent");
      this.#refuse(socket, null, {
        code: "AGENT_BUSY",
        message: `The vaultlink agent is answering ${MAX_CONNECTIONS} clients and ${MAX_WAITING} more wait; try again in a moment.`,
        hint: "See vaultlink agent status.",
      });
      return;
    }
    // A burst: it waits (unread; its request stays in the socket) until a connection ends.
    socket.pause();
    this.#waiting.push(socket);
    this.#scheduleEviction();
  }

  /** While clients wait, look again for idle connections to close once they are old enough. */
  #scheduleEviction(): void {
    if (this.#evictTimer !== undefined) return;
    this.#evictTimer = setTimeout(() => {
      this.#evictTimer = undefined;
      while (this.#waiting.some((w) => !w.destroyed) && this.#evictIdle()) this.#admitNext();
      this.#waiting = this.#waiting.filter((w) => !w.destroyed);
      if (this.#waiting.length > 0) this.#scheduleEviction();
    }, IDLE_AFTER_MS);
    this.#evictTimer.unref();
  }

  /** Let the next waiting client in, after a connection ended. */
  #admitNext(): void {
    while (this.#sockets.size < MAX_CONNECTIONS) {
      const next = this.#waiting.shift();
      if (next === undefined) return;
      if (next.destroyed) continue;
      this.#serve(next);
      next.resume();
    }
  }

  #serve(socket: Socket): void {
    this.#sockets.add(socket);
    this.#lineAt.set(socket, Date.now());
    socket.on("close", () => {
      this.#sockets.delete(socket);
      this.#admitNext();
    });
    let parts: Buffer[] = [];
    let size = 0;
    socket.on("data", (chunk: Buffer) => {
      if (this.#refused.has(socket)) {
        // Refused (an oversized line, say): what follows is dropped, never kept in memory.
        parts = [];
        return;
      }
      let start = 0;
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, start)) {
        parts.push(chunk.subarray(start, i));
        const line = Buffer.concat(parts);
        parts = [];
        size = 0;
        start = i + 1;
        this.#lineAt.set(socket, Date.now());
        void this.#handle(socket, line);
      }
      if (start < chunk.length) {
        parts.push(chunk.subarray(start));
        size += chunk.length - start;
        if (size > MAX_LINE_BYTES) {
          parts = [];
          this.#refuse(socket, null, {
            code: "INVALID_INPUT",
            message: `A request was larger than ${MAX_LINE_BYTES} bytes; the connection is closed.`,
          });
        }
      }
    });
  }

  async #handle(socket: Socket, line: Buffer): Promise<void> {
    if (socket.destroyed || this.#refused.has(socket)) return;
    let raw: unknown;
    try {
      raw = JSON.parse(line.toString("utf8"));
    } catch {
      return this.#refuse(socket, null, {
        code: "INVALID_INPUT",
        message: "A request was not JSON; the connection is closed.",
      });
    }
    const id = idOf(raw);
    // The token first: nothing about a request is looked at for a client without it.
    const token = (raw as { token?: unknown } | null)?.token;
    if (typeof token !== "string" || !timingSafeEqual(digest(token), this.#token)) {
      this.#log("refused a client without the agent's token");
      return this.#refuse(socket, id, {
        code: "AGENT_UNAUTHORIZED",
        message: "The agent refused the request: it did not carry this agent's token.",
        hint: "Clients read the token from the agent's info file, which only its user can read.",
      });
    }
    const parsed = agentRequestSchema.safeParse(raw);
    if (!parsed.success) {
      const fields = [...new Set(parsed.error.issues.map((i) => i.path.join(".") || "(request)"))];
      return this.#send(socket, {
        id,
        ok: false,
        error: {
          code: "INVALID_INPUT",
          message: `The agent refused a malformed request (${fields.slice(0, 5).join(", ")}).`,
        },
      });
    }
    const request = parsed.data;
    if (this.#closing) {
      return this.#send(socket, {
        id: request.id,
        ok: false,
        error: {
          code: "AGENT_STOPPING",
          message: "The vaultlink agent is stopping.",
          hint: "Start it again with vaultlink agent start, or run without it.",
        },
      });
    }
    this.#inFlight.set(socket, (this.#inFlight.get(socket) ?? 0) + 1);
    try {
      const result = await this.#answer(request);
      this.#send(socket, { id: request.id, ok: true, result });
      if (request.op === "stop") {
        this.#log("stop requested by a client");
        socket.end(() => this.#options.onStop());
      }
    } catch (error) {
      this.#send(socket, { id: request.id, ok: false, error: this.#errorBody(error) });
    } finally {
      const left = (this.#inFlight.get(socket) ?? 1) - 1;
      this.#inFlight.set(socket, left);
      if (this.#closing && left === 0) {
        // Stopping: this connection's answers are out; end it, and say when all are.
        socket.end();
        if (this.#busy() === 0) this.#drained?.();
      }
    }
  }

  /**
   * Make room for a new client: close the longest-connected connection with no request in
   * flight (an embedder's kept connection, or a client that sent half a line and went silent).
   * False when every connection is waiting for an answer.
   */
  #evictIdle(): boolean {
    const before = Date.now() - IDLE_AFTER_MS;
    for (const s of this.#sockets) {
      if ((this.#inFlight.get(s) ?? 0) > 0 || (this.#lineAt.get(s) ?? 0) > before) continue;
      this.#sockets.delete(s);
      s.destroy();
      this.#log("closed an idle connection to make room for a new client");
      return true;
    }
    return false;
  }

  async #answer(r: ValidAgentRequest): Promise<unknown> {
    const { vault } = this.#options;
    const opts: ResolveOptions = "url" in r && r.url !== undefined ? { url: r.url } : {};
    switch (r.op) {
      case "status":
        return {
          pid: process.pid,
          home: this.#options.home,
          socket: this.#options.socket,
          startedAt: this.#startedAt,
          unlocked: vault.unlocked,
          version: this.#options.version,
          connections: this.#sockets.size,
        } satisfies AgentStatus;
      case "resolve":
        return vault.resolve(r.name, opts);
      case "resolveMany":
        return vault.resolveMany(r.names, opts);
      case "resolveForMatching":
        return vault.resolveForMatching(r.names);
      case "template":
        return vault.resolveTemplate(r.text, opts);
      case "reload":
        await vault.refresh();
        return { reloaded: true };
      case "connect":
        // Memory-only sign-ins happen here, so the credentials stay in this process.
        return vault.integrations.connect({
          provider: r.input.provider,
          ...(r.input.id !== undefined ? { id: r.input.id } : {}),
          ...(r.input.method !== undefined ? { method: r.input.method } : {}),
          ...(r.input.options !== undefined ? { options: r.input.options } : {}),
        });
      case "reauth":
        return vault.integrations.reauthenticate(r.integration, {
          ...(r.input.method !== undefined ? { method: r.input.method } : {}),
          ...(r.input.options !== undefined ? { options: r.input.options } : {}),
        });
      case "ui": {
        const start = this.#options.startUi;
        if (!start)
          throw vaultlinkError("INVALID_INPUT", "This agent does not serve the vault screen.", {
            hint: "Stop it (vaultlink agent stop) to run vaultlink ui on its own.",
          });
        const screen = await start(
          r.idleMinutes !== undefined ? { idleMinutes: r.idleMinutes } : {},
        );
        this.#log("started a vault screen on 127.0.0.1");
        return screen;
      }
      case "integrations":
        // What the agent's memory holds (memory-only sign-ins); never credentials.
        return vault.integrations.list();
      case "stop":
        return { stopping: true };
    }
  }

  /** A failure as the client sees it: core's code, message and hint, redacted. */
  #errorBody(error: unknown): AgentErrorBody {
    const { vault } = this.#options;
    if (isVaultlinkError(error)) {
      return {
        code: error.code,
        message: vault.redact(error.message),
        ...(error.hint ? { hint: vault.redact(error.hint) } : {}),
      };
    }
    this.#log("a request failed unexpectedly");
    return {
      code: "INTERNAL",
      message: `The agent failed: ${vault.redact((error as Error)?.message ?? String(error))}`,
      hint: "See the agent's log; this looks like a bug.",
    };
  }

  #send(socket: Socket, response: AgentResponse): void {
    if (!socket.destroyed && !this.#refused.has(socket) && socket.writable)
      socket.write(`${JSON.stringify(response)}\n`);
  }

  #refuse(socket: Socket, id: number | null, error: AgentErrorBody): void {
    if (socket.destroyed || this.#refused.has(socket)) return;
    this.#refused.add(socket);
    socket.pause(); // nothing more is read from it
    socket.end(`${JSON.stringify({ id, ok: false, error } satisfies AgentResponse)}\n`);
    setTimeout(() => socket.destroy(), 1000).unref();
  }
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

function idOf(raw: unknown): number | null {
  const id = (raw as { id?: unknown } | null)?.id;
  return typeof id === "number" && Number.isSafeInteger(id) ? id : null;
}
