import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type E2eVault, type RunResult, runCli } from "./helpers.js";

/**
 * What the agent e2e tests share: a run with no vault key in its environment (only the vault
 * home: it must go through the agent), and the teardown that stops the vault's agent (killing
 * it when `agent stop` could not) and removes the vault home.
 */
export function keylessRunner(vault: () => E2eVault, runs?: RunResult[]) {
  return async (
    args: readonly string[],
    env: Record<string, string | undefined> = {},
    timeoutMs?: number,
  ): Promise<RunResult> => {
    const r = await runCli(args, {
      env: { ...env, VAULTLINK_HOME: vault().home, VAULTLINK_VAULT_KEY: undefined },
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    });
    runs?.push(r);
    return r;
  };
}

/** Stop the agent of `v` (SIGKILL if it is still there), then remove the vault home. */
export async function stopAgentAndCleanup(v: E2eVault | undefined): Promise<void> {
  if (!v) return;
  await v.run(["agent", "stop"]);
  const info = join(v.home, "agent", "agent.json");
  if (existsSync(info)) {
    const pid = (JSON.parse(readFileSync(info, "utf8")) as { pid: number }).pid;
    try {
      process.kill(pid, "SIGKILL");
    } catch {}
  }
  v.cleanup();
}
