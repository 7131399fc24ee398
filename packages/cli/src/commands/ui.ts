import { pathToFileURL } from "node:url";
import type { AgentUiScreen } from "@vaultlink/core";
import type { Command } from "commander";
import { askAgent, runningAgent } from "../agent-link.js";
import { SilentExit, usage } from "../errors.js";
import { err, out } from "../io/term.js";
import { keychainFor, keySources, openVault } from "../vault-access.js";
import { globals, type Opts } from "./common.js";

/** Parse --idle-minutes: a whole number of minutes from 1 to 1440 (a day). */
export function parseIdleMinutes(text: unknown): number {
  const s = String(text ?? "15").trim();
  const n = /^\d+$/.test(s) ? Number(s) : Number.NaN;
  if (!Number.isInteger(n) || n < 1 || n > 1440)
    throw usage(
      `--idle-minutes must be a whole number of minutes from 1 to 1440, not "${s}".`,
      "For example: vaultlink ui --idle-minutes 30",
    );
  return n;
}

/**
 * Start a browser, unless --no-open: on the launch page (a 0600 file that forwards to the
 * launch address) when the screen wrote one, since a browser's arguments are visible to every
 * user of the machine and the address carries the token.
 */
async function openBrowser(opts: Opts, launchUrl: string, launchPage?: string): Promise<void> {
  if (opts.open === false) return;
  try {
    const { default: open } = await import("open");
    const child = await open(launchPage ? pathToFileURL(launchPage).href : launchUrl);
    child.on("error", () => err("Could not start a browser: open the address above."));
  } catch {
    err("Could not start a browser: open the address above.");
  }
}

const idleText = (minutes: number) => `${minutes} idle minute${minutes === 1 ? "" : "s"}`;

/**
 * `vaultlink ui`. When the agent runs, the screen runs inside it, on the vault it holds open:
 * the agent starts a screen and this command prints its address and exits. Otherwise the screen
 * runs in this process. The vault opens with VAULTLINK_VAULT_KEY or the OS keychain; without
 * either, the page asks for the key (never the terminal, and never in an address), and with no
 * vault yet it offers to create one. The idle lock or Ctrl-C closes the vault.
 */
export async function ui(opts: Opts, cmd: Command): Promise<void> {
  const minutes = parseIdleMinutes(opts.idleMinutes);
  const agent = await runningAgent();
  if (agent) {
    const screen = (await askAgent(agent, (a) =>
      a.request("ui", { idleMinutes: minutes }),
    )) as AgentUiScreen;
    out(screen.launchUrl);
    err(
      `The vault screen is served by the vaultlink agent at ${screen.url} (127.0.0.1 only). The address above signs one browser in, once.\nIt stops after ${idleText(minutes)} or Lock (the agent keeps the vault open); vaultlink agent stop ends it too.`,
    );
    await openBrowser(opts, screen.launchUrl, screen.launchPage);
    return;
  }
  const opened = await openVault({ global: globals(cmd), providers: "all", unlock: false });
  let closed = false;
  const closeVault = async () => {
    if (closed) return;
    closed = true;
    await opened.close();
  };
  try {
    const { vault } = opened;
    const core = await import("@vaultlink/core");
    const dir = vault.paths.dir;
    let asks = "";
    if (await vault.exists()) {
      await core.checkVaultDir(dir);
      // No prompt here: without a key from the environment or the keychain, the page asks.
      const sources = (await keySources(dir)).filter((x) => x.id !== "prompt");
      const { found } = await core.reportKeySources(sources);
      if (found) await vault.unlock(found.vaultKey, { source: found.source });
      else asks = "The vault is locked: the page asks for its key.";
    } else asks = `There is no vault in ${dir} yet: the page offers to create one.`;
    // Loaded only here: no other command pays for the server or the page.
    const { startUiServer } = await import("@vaultlink/ui");
    const server = await startUiServer({
      host: {
        vault,
        ensureProviders: opened.ensureProviders,
        keychain: await keychainFor(dir),
      },
      idleMs: minutes * 60_000,
      ...(opts.open === false ? {} : { launchPageDir: dir }),
      onLock: async (reason) => {
        await closeVault();
        err(
          reason === "idle"
            ? `Locked after ${idleText(minutes)}: the vault is closed. Run vaultlink ui again to open it; Ctrl-C to quit.`
            : "Locked from the screen: the vault is closed. Run vaultlink ui again to open it; Ctrl-C to quit.",
        );
      },
      onUnexpectedError: (error) => {
        const message = error instanceof Error ? error.message : String(error);
        err(`error: ${closed ? "the vault screen failed" : vault.redact(message)}`);
      },
    });
    const stopped = new Promise<number>((resolve) => {
      process.once("SIGINT", () => resolve(130));
      process.once("SIGTERM", () => resolve(143));
    });
    // stdout: the address, for scripts and tests. It signs one browser in, once.
    out(server.launchUrl);
    err(
      `The vault screen is at ${server.url} (127.0.0.1 only). The address above signs one browser in, once.${asks ? `\n${asks}` : ""}\nIt locks after ${idleText(minutes)}. Ctrl-C stops it.`,
    );
    await openBrowser(opts, server.launchUrl, server.launchPage);
    const code = await stopped;
    await server.close();
    await closeVault();
    err("Stopped; the vault is closed.");
    // 128 + the signal number, as bin.ts exits for every other command.
    throw new SilentExit(code);
  } finally {
    await closeVault();
  }
}
