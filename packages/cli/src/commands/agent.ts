import { spawn } from "node:child_process";
import { closeSync, existsSync, readFileSync, statSync } from "node:fs";
import type { AgentProbe } from "@vaultlink/core";
import type { Command } from "commander";
import { CliError, ExitCode, SilentExit } from "../errors.js";
import { chompOne, readStdin } from "../io/input.js";
import { err, out, printJson } from "../io/term.js";
import { cliVersion } from "../program.js";
import { keychainFor, openVault } from "../vault-access.js";
import { globals, type Opts } from "./common.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How often the agent looks for sessions to renew when no plugin named a time. */
const RENEW_CHECK_MS = 60_000;
/** Soonest next look (a renewal that is due but failing is not retried in a tight loop). */
const RENEW_MIN_MS = 5_000;
/**
 * Refresh-ahead looks for hot values at least this often (a value read for the first time
 * since its fetch may become due before the time the last look named), and no more often
 * than every REFRESH_AHEAD_MIN_MS.
 */
const REFRESH_AHEAD_CHECK_MS = 5_000;
/**
 * On stop, requests in flight get this long to be answered before their connections close
 * (a provider slower than that: its clients are told the connection ended).
 */
const STOP_DRAIN_MS = 10_000;
const REFRESH_AHEAD_MIN_MS = 500;

function whereItRuns(p: Extract<AgentProbe, { state: "running" }>): string {
  return `pid ${p.status.pid}, socket ${p.paths.socket}`;
}

/**
 * `agent run`: the agent in the foreground. Unlocks the vault (from the key sources, or from
 * stdin when `agent start` hands the key over), takes the socket under the start lock, writes
 * the info file with a new token, and serves until `agent stop` or SIGTERM/SIGINT/SIGHUP. On
 * the way out it disposes the vault (provider sessions, cached values, the data key) and
 * removes its socket and info file.
 */
export async function run(opts: Opts, cmd: Command): Promise<void> {
  const core = await import("@vaultlink/core");
  const paths = core.agentPaths();
  const log = (line: string) =>
    process.stderr.write(`${new Date().toISOString()} vaultlink agent[${process.pid}]: ${line}\n`);
  const key =
    opts.keyStdin === true ? chompOne(await readStdin("the vault key on stdin")).trim() : undefined;
  await core.prepareAgentDir(paths);
  // Unlock before taking the socket: a wrong key or a missing vault fails here, changing nothing.
  const opened = await openVault({
    global: globals(cmd),
    providers: "all",
    ...(key ? { vaultKey: key } : {}),
  });
  let requestStop: (why: string) => void = () => {};
  const token = core.newAgentToken();
  const screens = new Set<{ close(): Promise<void> }>();
  const server = new core.AgentServer({
    vault: opened.vault,
    socket: paths.socket,
    token,
    home: paths.home,
    version: cliVersion(),
    onStop: () => requestStop("agent stop"),
    log,
    // `vaultlink ui` while the agent runs: the screen is served here, on the vault held open.
    // Its idle lock and Lock button end that screen only; the vault stays open for the agent's
    // other clients until the agent stops.
    startUi: async ({ idleMinutes = 15 }) => {
      const { startUiServer } = await import("@vaultlink/ui");
      const screen = await startUiServer({
        host: {
          vault: opened.vault,
          ensureProviders: opened.ensureProviders,
          // A reset from the screen replaces (or removes) the keychain's key, as elsewhere.
          keychain: await keychainFor(opened.vault.paths.dir),
        },
        idleMs: idleMinutes * 60_000,
        // The browser is opened on this file, not on the address with the token (see ui.ts).
        launchPageDir: opened.vault.paths.dir,
        onLock: async (reason) => {
          screens.delete(screen);
          log(`a vault screen locked (${reason}) and stopped serving`);
          // After the Lock button's answer has gone out.
          setTimeout(() => void screen.close(), 500);
        },
        onUnexpectedError: () => log("a vault screen request failed unexpectedly"),
      });
      screens.add(screen);
      return {
        url: screen.url,
        launchUrl: screen.launchUrl,
        ...(screen.launchPage ? { launchPage: screen.launchPage } : {}),
      };
    },
  });
  try {
    await core.withAgentStartLock(paths, async () => {
      const found = await core.probeAgent({ paths });
      if (found.state === "running") throw alreadyRuns(found);
      if (found.state === "unresponsive") throw unresponsive(found);
      if (found.state === "stale") {
        await core.removeAgentFiles(paths);
        log("removed the socket and info file of an agent that is gone");
      }
      await server.listen();
      await core.writeAgentInfo(paths, {
        pid: process.pid,
        socket: paths.socket,
        token,
        startedAt: new Date().toISOString(),
        home: paths.home,
        version: cliVersion(),
      });
    });
  } catch (error) {
    await opened.close();
    throw error;
  }
  log(`serving ${paths.home} on ${paths.socket} (unlocked by ${opened.source || "the starter"})`);
  // Background renewal: sessions that plugins can renew (HashiCorp tokens at 2/3 of their TTL)
  // are renewed ahead of use, so a token idle between reads never lapses.
  let renewTimer: NodeJS.Timeout | undefined;
  let stopped = false;
  const renew = async () => {
    let delay = RENEW_CHECK_MS;
    try {
      const r = await opened.vault.refreshSessions();
      if (r.failed > 0) log(`renewing ${r.failed} session(s) failed; trying again later`);
      if (r.nextAt !== undefined)
        delay = Math.min(RENEW_CHECK_MS, Math.max(RENEW_MIN_MS, r.nextAt - Date.now()));
      if (r.failed > 0) delay = Math.max(delay, 30_000);
    } catch {
      log("checking sessions for renewal failed; trying again later");
    }
    if (!stopped) renewTimer = setTimeout(() => void renew(), delay);
  };
  void renew();
  // Refresh-ahead: hot values (read since their last fetch) are fetched again in the last tenth
  // of their cache time, so reads rarely meet an expired value (decision 0021).
  let aheadTimer: NodeJS.Timeout | undefined;
  const ahead = async () => {
    let delay = REFRESH_AHEAD_CHECK_MS;
    try {
      const r = await opened.vault.refreshAhead();
      if (r.failed > 0) log(`refreshing ${r.failed} value(s) ahead failed; trying again later`);
      if (r.nextAt !== undefined)
        delay = Math.min(delay, Math.max(REFRESH_AHEAD_MIN_MS, r.nextAt - Date.now()));
    } catch {
      log("refresh-ahead failed; trying again later");
    }
    if (!stopped) aheadTimer = setTimeout(() => void ahead(), delay);
  };
  void ahead();
  await new Promise<void>((resolve) => {
    let stopping = false;
    const signals: NodeJS.Signals[] = ["SIGTERM", "SIGINT", "SIGHUP"];
    const handlers = signals.map((s) => [s, () => requestStop(s)] as const);
    requestStop = (why) => {
      if (stopping) return;
      stopping = true;
      log(`stopping (${why})`);
      stopped = true;
      clearTimeout(renewTimer);
      clearTimeout(aheadTimer);
      void (async () => {
        // Reads already being answered finish first (at most STOP_DRAIN_MS).
        await server.close(STOP_DRAIN_MS).catch(() => {});
        for (const screen of screens) await screen.close().catch(() => {});
        screens.clear();
        await opened.close().catch(() => {});
        // Only our own files: a newer agent may have taken over a socket we lost.
        const info = await core.readAgentInfo(paths);
        if (info === undefined || info.pid === process.pid) await core.removeAgentFiles(paths);
        for (const [s, h] of handlers) process.off(s, h);
        log("stopped; the unlocked vault, sessions and cached values left memory with it");
        resolve();
      })();
    };
    for (const [s, h] of handlers) process.on(s, h);
  });
  // SDK clients may hold sockets for a moment; nothing of ours is left to finish.
  setTimeout(() => process.exit(0), 2_000).unref();
}

function alreadyRuns(found: Extract<AgentProbe, { state: "running" }>): CliError {
  return new CliError(`An agent already runs for ${found.paths.home}: ${whereItRuns(found)}.`, {
    hint: "Use it as it is, or stop it first with vaultlink agent stop.",
    exitCode: ExitCode.other,
    code: "AGENT_RUNNING",
  });
}

function unresponsive(found: Extract<AgentProbe, { state: "unresponsive" }>): CliError {
  const pid = found.info?.pid;
  return new CliError(
    `A process holds the agent's socket ${found.paths.socket} but does not answer${pid ? ` (pid ${pid})` : ""}.`,
    {
      hint: pid
        ? `It may be stopped (SIGSTOP). Continue it (kill -CONT ${pid}) or end it (kill ${pid}), then try again.`
        : "Try again in a moment; if it stays, remove the socket file.",
      exitCode: ExitCode.other,
      code: "AGENT_UNRESPONSIVE",
    },
  );
}

/**
 * `agent start`: unlock here (env, keychain or a prompt on this terminal), then start
 * `agent run` detached with the key on its stdin (never in its environment or arguments) and
 * its output in the agent's log, and wait until it answers. A running agent is reported, not
 * replaced.
 */
export async function start(opts: Opts, cmd: Command): Promise<void> {
  const core = await import("@vaultlink/core");
  const paths = core.agentPaths();
  const found = await core.probeAgent({ paths });
  if (found.state === "running") {
    if (opts.json === true)
      return printJson({
        started: false,
        running: true,
        pid: found.status.pid,
        socket: paths.socket,
      });
    err(`The agent already runs for ${paths.home}: ${whereItRuns(found)}.`);
    return;
  }
  if (found.state === "unresponsive") throw unresponsive(found);
  const opened = await openVault({ global: globals(cmd) });
  const key = opened.vaultKey;
  await opened.close();
  await core.prepareAgentDir(paths);
  const logStart = existsSync(paths.log) ? statSync(paths.log).size : 0;
  const logFd = core.openAgentLog(paths);
  const env: Record<string, string | undefined> = { ...process.env };
  // The key goes over stdin; the agent must not hand it on to anything it starts.
  delete env.VAULTLINK_VAULT_KEY;
  const script = process.argv[1];
  if (!script)
    throw new CliError("Cannot tell where vaultlink is installed.", { exitCode: ExitCode.other });
  const child = spawn(process.execPath, [script, "agent", "run", "--key-stdin"], {
    detached: true,
    stdio: ["pipe", logFd, logFd],
    env,
  });
  closeSync(logFd);
  let exited: number | undefined;
  child.once("exit", (code, signal) => {
    exited = code ?? (signal ? 128 : 1);
  });
  child.once("error", () => {
    exited = 1;
  });
  child.stdin?.on("error", () => {});
  child.stdin?.end(`${key}\n`);
  const deadline = Date.now() + 60_000;
  let running: Extract<AgentProbe, { state: "running" }> | undefined;
  for (;;) {
    const p = await core.probeAgent({ paths, timeoutMs: 5_000 }).catch(() => undefined);
    if (p?.state === "running" && (p.status.pid === child.pid || exited !== undefined)) {
      running = p;
      break;
    }
    if (exited !== undefined) {
      if (p?.state === "running") {
        running = p;
        break;
      }
      throw new CliError(`The agent did not start: ${lastError(paths.log, logStart)}`, {
        hint: `See its log: ${paths.log}`,
        exitCode: ExitCode.other,
        code: "AGENT_NOT_STARTED",
      });
    }
    if (Date.now() > deadline) {
      child.kill("SIGTERM");
      throw new CliError("The agent did not answer within 60 s of starting.", {
        hint: `See its log: ${paths.log}`,
        exitCode: ExitCode.other,
        code: "AGENT_NOT_STARTED",
      });
    }
    await sleep(100);
  }
  child.unref();
  const mine = running.status.pid === child.pid;
  if (opts.json === true)
    return printJson({
      started: mine,
      running: true,
      pid: running.status.pid,
      socket: paths.socket,
    });
  if (mine) err(`Started the agent for ${paths.home}: ${whereItRuns(running)}.`);
  else err(`The agent already runs for ${paths.home}: ${whereItRuns(running)}.`);
}

/** The last `error:` line (and its hint) the agent wrote since `from`, or its last line. */
function lastError(log: string, from: number): string {
  let text = "";
  try {
    text = readFileSync(log).subarray(from).toString("utf8");
  } catch {
    return "it wrote no log.";
  }
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  const at = lines.findLastIndex((l) => l.startsWith("error: "));
  if (at === -1) return lines.at(-1) ?? "it exited without a word.";
  const hint = lines[at + 1]?.startsWith("hint: ") ? ` (${lines[at + 1]})` : "";
  return `${(lines[at] ?? "").slice("error: ".length)}${hint}`;
}

/** `agent stop`: the agent clears its memory, removes its socket and exits. */
export async function stop(opts: Opts): Promise<void> {
  const core = await import("@vaultlink/core");
  const paths = core.agentPaths();
  const found = await core.probeAgent({ paths });
  const done = (result: Record<string, unknown>, text: string) =>
    opts.json === true ? printJson(result) : err(text);
  if (found.state === "none")
    return done({ stopped: false, running: false }, "The agent is not running.");
  if (found.state === "stale") {
    await core.removeAgentFiles(paths);
    return done(
      { stopped: false, running: false, removedStale: true },
      "The agent was not running; removed the socket and info file its last run left behind.",
    );
  }
  if (found.state === "unresponsive") throw unresponsive(found);
  const { AgentClient } = await import("@vaultlink/core/agent");
  const client = await AgentClient.connect({ paths });
  if (client) {
    try {
      await client.stop();
    } catch {
      // It may have closed the connection on its way out.
    } finally {
      client.close();
    }
  }
  const deadline = Date.now() + 30_000;
  while (existsSync(paths.socket) || existsSync(paths.info)) {
    if (Date.now() > deadline) {
      throw new CliError(`The agent (pid ${found.status.pid}) did not stop within 30 s.`, {
        hint: `End it with kill ${found.status.pid}.`,
        exitCode: ExitCode.other,
        code: "AGENT_UNRESPONSIVE",
      });
    }
    await sleep(100);
  }
  done(
    { stopped: true, pid: found.status.pid },
    `Stopped the agent (pid ${found.status.pid}); it cleared its memory and removed its socket.`,
  );
}

/** `agent status`: where it runs and since when; exit 1 when it does not run. */
export async function status(opts: Opts): Promise<void> {
  const core = await import("@vaultlink/core");
  const paths = core.agentPaths();
  const found = await core.probeAgent({ paths });
  if (found.state === "running") {
    const s = found.status;
    if (opts.json === true) return printJson({ running: true, ...s });
    out(`running:  yes (pid ${s.pid}, since ${s.startedAt})`);
    out(`vault:    ${s.home} (${s.unlocked ? "unlocked" : "locked"})`);
    out(`socket:   ${s.socket}`);
    out(`version:  ${s.version}`);
    return;
  }
  const state =
    found.state === "none"
      ? "not running"
      : found.state === "stale"
        ? "not running (stale socket left behind; agent stop removes it)"
        : "not answering";
  if (opts.json === true) printJson({ running: false, state: found.state, socket: paths.socket });
  else out(`running:  no — ${state}\nsocket:   ${paths.socket}`);
  throw new SilentExit(ExitCode.other);
}
