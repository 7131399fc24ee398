import type { Command } from "commander";
import { SilentExit, usage } from "../errors.js";
import { err, out } from "../io/term.js";
import { openVault } from "../vault-access.js";
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
 * `vaultlink ui`: the vault screen in this process (the agent will host it when one runs).
 * The vault stays open while the screen is in use; the idle lock or Ctrl-C closes it.
 */
export async function ui(opts: Opts, cmd: Command): Promise<void> {
  const minutes = parseIdleMinutes(opts.idleMinutes);
  const opened = await openVault({ global: globals(cmd), providers: "all" });
  let closed = false;
  const closeVault = async () => {
    if (closed) return;
    closed = true;
    await opened.close();
  };
  try {
    // Loaded only here: no other command pays for the server or the page.
    const { startUiServer } = await import("@vaultlink/ui");
    const server = await startUiServer({
      host: { vault: opened.vault, ensureProviders: opened.ensureProviders },
      idleMs: minutes * 60_000,
      onLock: async (reason) => {
        await closeVault();
        err(
          reason === "idle"
            ? `Locked after ${minutes} idle minute${minutes === 1 ? "" : "s"}: the vault is closed. Run vaultlink ui again to open it; Ctrl-C to quit.`
            : "Locked from the screen: the vault is closed. Run vaultlink ui again to open it; Ctrl-C to quit.",
        );
      },
      onUnexpectedError: (error) => {
        const message = error instanceof Error ? error.message : String(error);
        err(`error: ${closed ? "the vault screen failed" : opened.vault.redact(message)}`);
      },
    });
    const stopped = new Promise<number>((resolve) => {
      process.once("SIGINT", () => resolve(130));
      process.once("SIGTERM", () => resolve(143));
    });
    // stdout: the address, for scripts and tests. It signs one browser in, once.
    out(server.launchUrl);
    err(
      `The vault screen is at ${server.url} (127.0.0.1 only). The address above signs one browser in, once.\nIt locks after ${minutes} idle minute${minutes === 1 ? "" : "s"}. Ctrl-C stops it.`,
    );
    if (opts.open !== false) {
      try {
        const { default: open } = await import("open");
        const child = await open(server.launchUrl);
        child.on("error", () => err("Could not start a browser: open the address above."));
      } catch {
        err("Could not start a browser: open the address above.");
      }
    }
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
