import { statSync } from "node:fs";
import { join } from "node:path";
import type { AgentClient, Resolution } from "@vaultlink/core";
import { CliError, ExitCode, exitCodeFor } from "./errors.js";

/**
 * How commands use a running agent: `read`, `resolve` and `run` ask it (no vault key needed in
 * their environment); without one they work in-process exactly as before. One existence check
 * of the socket decides; a stale socket (a dead agent) counts as no agent.
 */
export async function runningAgent(): Promise<AgentClient | undefined> {
  const { AgentClient } = await import("@vaultlink/core/agent");
  try {
    return await AgentClient.connect();
  } catch (error) {
    throw asCliError(error);
  }
}

/** An agent's refusal or a broken connection, as the CLI reports it. */
export function asCliError(error: unknown): unknown {
  const e = error as { name?: string; code?: string; message?: string; hint?: string };
  if (e?.name !== "AgentError") return error;
  const exitCode = e.code?.startsWith("AGENT_") ? ExitCode.other : exitCodeFor(e.code);
  return new CliError(e.message ?? "The vaultlink agent failed.", {
    exitCode,
    code: e.code ?? "INTERNAL",
    ...(e.hint ? { hint: e.hint } : {}),
  });
}

/** Ask the agent, closing the connection afterwards; its errors become CLI errors. */
export async function askAgent<T>(
  agent: AgentClient,
  fn: (a: AgentClient) => Promise<T>,
): Promise<T> {
  try {
    return await fn(agent);
  } catch (error) {
    throw asCliError(error);
  } finally {
    agent.close();
  }
}

/** The line `read` prints for a resolved value (also on the quick path). */
export function readOutput(
  r: Extract<Resolution, { ok: true }>,
  options: { json: boolean; newline: boolean },
): string {
  if (options.json)
    return `${JSON.stringify({ name: r.name, value: r.value, source: r.source, ...(r.stale ? { stale: true } : {}) })}\n`;
  return options.newline ? `${r.value}\n` : r.value;
}

/** When the vault and cache files last changed (to tell a running agent after a command). */
export function vaultFilesStamp(home: string): string {
  const parts: string[] = [];
  for (const f of ["vault.vlt", "cache.vlc"]) {
    try {
      const s = statSync(join(home, f));
      parts.push(`${s.ino}:${s.mtimeMs}:${s.size}`);
    } catch {
      parts.push("-");
    }
  }
  return parts.join("|");
}

/**
 * After a command that may have changed the vault or the cache in this process, tell a running
 * agent to read them again (it keeps both in memory). Quiet when no agent runs; a failure to
 * reach it is not the command's failure.
 */
export async function tellAgentFilesChanged(home: string, before: string): Promise<void> {
  const { agentPaths, AgentClient } = await import("@vaultlink/core/agent");
  const paths = agentPaths({ home });
  const { existsSync } = await import("node:fs");
  if (!existsSync(paths.socket)) return;
  if (vaultFilesStamp(home) === before) return;
  try {
    const agent = await AgentClient.connect({ paths, connectTimeoutMs: 5_000 });
    if (!agent) return;
    try {
      await agent.request("reload", {}, 10_000);
    } finally {
      agent.close();
    }
  } catch {
    // The agent re-reads the vault file within a second anyway; the cache on its next reload.
  }
}
