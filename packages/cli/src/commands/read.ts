import type { Command } from "commander";
import { askAgent, readOutput, runningAgent } from "../agent-link.js";
import { readUnresolvedError } from "../unresolved.js";
import { type Opts, withVault } from "./common.js";

/**
 * Print one value. Through the agent when one runs (no vault key needed here); otherwise
 * in-process, where a cached or local secret imports no provider.
 */
export async function read(name: string, opts: Opts, cmd: Command): Promise<void> {
  const resolveOpts = typeof opts.url === "string" ? { url: opts.url } : {};
  const agent = await runningAgent();
  const r = agent
    ? await askAgent(agent, (a) => a.resolve(name, resolveOpts))
    : await withVault(cmd, (o) => o.vault.resolve(name, resolveOpts));
  if (!r.ok) throw readUnresolvedError(name, r);
  process.stdout.write(
    readOutput({ ...r, name }, { json: opts.json === true, newline: opts.newline !== false }),
  );
}
