import { existsSync } from "node:fs";
import { AgentClient, AgentError } from "./client.js";
import { type AgentPaths, agentPaths } from "./paths.js";

/** How often an embedding vault looks again for the agent's socket (one `existsSync`). */
export const AGENT_RECHECK_MS = 1_000;

/** The connection failed, not the request: the agent is gone or hangs. */
const CONNECTION_CODES = new Set(["AGENT_UNREACHABLE", "AGENT_UNRESPONSIVE", "AGENT_STOPPING"]);

/**
 * How an embedding `Vault` uses a running agent for its vault home (decision 0021): resolves
 * go to the agent while its socket is there, in-process when it is not. The socket's existence
 * is checked at most once a second; one connection is kept and reused, and opened again after
 * it broke. The agent's own vault turns this off (it would ask itself).
 */
export class AgentRoute {
  #paths: AgentPaths;
  #enabled = true;
  #recheck: NodeJS.Timeout | undefined;
  #present = false;
  #client: Promise<AgentClient | undefined> | undefined;

  constructor(home: string) {
    this.#paths = agentPaths({ home });
  }

  set enabled(on: boolean) {
    this.#enabled = on;
    if (!on) this.dispose();
  }

  /** Close the connection and forget the last socket check (the vault is disposed). */
  dispose(): void {
    clearTimeout(this.#recheck);
    this.#recheck = undefined;
    this.close();
  }

  /**
   * Synchronous and cheap: may an agent run for this home (its socket is there)? The answer is
   * kept for a second by an unref'd timer, so a hot loop of resolves pays one field read.
   */
  maybe(): boolean {
    if (!this.#enabled) return false;
    if (this.#recheck === undefined) {
      this.#present = existsSync(this.#paths.socket);
      if (!this.#present) this.close();
      this.#recheck = setTimeout(() => {
        this.#recheck = undefined;
      }, AGENT_RECHECK_MS);
      this.#recheck.unref?.();
    }
    return this.#present;
  }

  /** A connection to the running agent, or undefined (none runs: a stale socket counts as none). */
  client(): Promise<AgentClient | undefined> {
    if (!this.maybe()) return Promise.resolve(undefined);
    if (!this.#client) {
      const pending = AgentClient.connect({ paths: this.#paths, connectTimeoutMs: 5_000 }).catch(
        () => undefined,
      );
      this.#client = pending;
      void pending.then((c) => {
        if (c === undefined && this.#client === pending) {
          this.#client = undefined;
          // Nobody listens on the socket: do not ask again before the next check.
          this.#present = false;
        }
      });
    }
    return this.#client;
  }

  /**
   * Run `viaAgent` on the agent when one runs, else `local`. A broken connection (the agent
   * stopped or hangs) falls back to `local` when `canFallBack` says the vault can answer itself;
   * the agent's own answers (its errors included) are passed on.
   */
  async run<T>(
    viaAgent: (agent: AgentClient) => Promise<T>,
    local: () => Promise<T>,
    canFallBack: () => boolean,
  ): Promise<T> {
    let agent = await this.client();
    if (agent?.closed) {
      // The kept connection ended while idle (the agent makes room for new clients by closing
      // idle ones, or it restarted): open a new one before asking.
      this.close();
      agent = await this.client();
    }
    if (agent === undefined) return local();
    try {
      return await viaAgent(agent);
    } catch (error) {
      if (!(error instanceof AgentError) || !CONNECTION_CODES.has(error.code)) throw error;
      this.close();
      if (error.code === "AGENT_UNREACHABLE") {
        // The kept connection may have been closed by the agent (to make room) just as this
        // request went out: ask once more on a new connection (resolving is a read).
        const again = await this.client();
        if (again !== undefined) {
          try {
            return await viaAgent(again);
          } catch (retryError) {
            if (!(retryError instanceof AgentError) || !CONNECTION_CODES.has(retryError.code))
              throw retryError;
            this.close();
          }
        }
      }
      if (canFallBack()) return local();
      throw error;
    }
  }

  close(): void {
    const held = this.#client;
    this.#client = undefined;
    void held?.then((c) => c?.close());
  }
}
