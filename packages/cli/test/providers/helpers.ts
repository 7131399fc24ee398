/**
 * Shared helpers for the provider end-to-end tests: each test drives the BUILT CLI
 * (packages/cli/dist/bin.cjs) as a subprocess, in a temporary VAULTLINK_HOME, against a real
 * emulator from apps/emulators. Nothing here prints a secret value.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";

export const CLI_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const BIN = join(CLI_DIR, "dist", "bin.cjs");

/** The CLI's exit codes (packages/cli/src/errors.ts). */
export const EXIT = { ok: 0, other: 1, usage: 2, unresolved: 3, auth: 4, unreachable: 5, vault: 6 };

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  args: readonly string[];
}

/** Variables of the developer's shell that could change what the CLI or an SDK does. */
const DROPPED =
  /^(VAULTLINK_|AWS_|AZURE_|IDENTITY_|MSI_|VAULT_|OP_|NO_COLOR$|FORCE_COLOR$|DBUS_SESSION_BUS_ADDRESS$|NODE_OPTIONS$|NODE_EXTRA_CA_CERTS$)/;

/** A clean environment for the child: nothing of the developer's vault, cloud or keychain. */
export function childEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || DROPPED.test(k)) continue;
    env[k] = v;
  }
  Object.assign(env, {
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    AWS_EC2_METADATA_DISABLED: "true",
    // No shared AWS config or credentials files of the developer.
    AWS_CONFIG_FILE: join(tmpdir(), "vaultlink-e2e-no-aws-config"),
    AWS_SHARED_CREDENTIALS_FILE: join(tmpdir(), "vaultlink-e2e-no-aws-credentials"),
    NO_COLOR: "1",
  });
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** Run `node dist/bin.cjs <args>` with stdin `input` (no terminal). */
export function runCli(
  args: readonly string[],
  options: { env?: Record<string, string | undefined>; input?: string; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: childEnv(options.env),
      cwd: CLI_DIR,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 25_000);
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.on("error", (e) => {
      clearTimeout(timer);
      rej(e);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      res({ code, signal, stdout, stderr, args });
    });
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.input ?? "");
  });
}

export interface E2eVault {
  home: string;
  key: string;
  /** Every run so far, for the no-secret / no-stack-trace checks. */
  runs: RunResult[];
  run(
    args: readonly string[],
    options?: { env?: Record<string, string | undefined>; input?: string },
  ): Promise<RunResult>;
  /** sha256 of every file in VAULTLINK_HOME that holds vault state. */
  vaultHash(): string;
  writeTeam(members: Record<string, string>): void;
  cleanup(): void;
}

/**
 * `vault create --json --no-keychain` in a new temporary VAULTLINK_HOME; later runs get
 * VAULTLINK_HOME, VAULTLINK_VAULT_KEY and `env` (e.g. NODE_EXTRA_CA_CERTS).
 */
export async function createVault(env: Record<string, string | undefined> = {}): Promise<E2eVault> {
  const home = mkdtempSync(join(tmpdir(), "vaultlink-e2e-"));
  const runs: RunResult[] = [];
  const created = await runCli(["vault", "create", "--json", "--no-keychain"], {
    env: { ...env, VAULTLINK_HOME: home },
  });
  runs.push(created);
  if (created.code !== 0) {
    throw new Error(`vault create exited ${created.code}: ${created.stderr.split("\n")[0]}`);
  }
  const key = (JSON.parse(created.stdout) as { vaultKey: string }).vaultKey;
  const base = { ...env, VAULTLINK_HOME: home, VAULTLINK_VAULT_KEY: key };
  return {
    home,
    key,
    runs,
    run: async (args, o = {}) => {
      const r = await runCli(args, {
        env: { ...base, ...o.env },
        ...(o.input !== undefined ? { input: o.input } : {}),
      });
      runs.push(r);
      return r;
    },
    vaultHash: () => hashFile(join(home, "vault.vlt")),
    writeTeam: (members) => writeFileSync(join(home, "team.json"), JSON.stringify({ members })),
    cleanup: () => rmSync(home, { recursive: true, force: true }),
  };
}

export function hashFile(file: string): string {
  return existsSync(file)
    ? createHash("sha256").update(readFileSync(file)).digest("hex")
    : "absent";
}

/** A Node stack frame line ("    at fn (file:1:2)"). */
export function hasStackTrace(text: string): boolean {
  return /^\s{4}at /m.test(text);
}

/** Does any of these texts contain any of the secrets? (A boolean: never print the values.) */
export function leaksAny(texts: readonly string[], secrets: readonly string[]): boolean {
  return texts.some((t) => secrets.some((s) => s.length > 0 && t.includes(s)));
}

/**
 * A short, value-free description of a run for assertion messages: the arguments, the exit code
 * and the first stderr line with every known secret masked.
 */
export function describeRun(r: RunResult, secrets: readonly string[] = []): string {
  let first = r.stderr.split("\n").find((l) => l.trim() !== "") ?? "";
  for (const s of secrets) if (s.length > 0) first = first.split(s).join("***");
  return `vaultlink ${r.args.join(" ")} -> exit ${r.code}; stderr: ${first.slice(0, 300)}`;
}

/** `integration status <id> --json`, parsed. */
export async function integrationStatus(
  v: E2eVault,
  id: string,
): Promise<{ result: RunResult; info: Record<string, unknown> | undefined }> {
  const result = await v.run(["integration", "status", id, "--json"]);
  let info: Record<string, unknown> | undefined;
  try {
    info = JSON.parse(result.stdout) as Record<string, unknown>;
  } catch {
    info = undefined;
  }
  return { result, info };
}

/**
 * The checks every provider's end-to-end test makes, so each file reads as its provider's story.
 * `secrets` lists every value and credential that must never be printed; `env` is added to
 * every run (a team user, say).
 */
export function e2eChecks(
  v: E2eVault,
  secrets: () => readonly string[],
  env: { env?: Record<string, string | undefined> } = {},
) {
  const d = (r: RunResult) => describeRun(r, secrets());
  const run = (args: readonly string[]) => v.run(args, env);
  return {
    d,
    /** `secret link` for each [name, reference, JSON key?]; every link must succeed. */
    async links(
      integration: string,
      links: ReadonlyArray<readonly [name: string, reference: string, jsonKey?: string]>,
    ): Promise<void> {
      for (const [name, reference, jsonKey] of links) {
        const args = ["secret", "link", name, integration, reference];
        if (jsonKey !== undefined) args.push("--json-key", jsonKey);
        const r = await run(args);
        expect(r.code, d(r)).toBe(EXIT.ok);
      }
    },
    /** Each `read <name>` succeeds and prints exactly the expected value (plus a newline). */
    async reads(expected: ReadonlyArray<readonly [name: string, value: string]>): Promise<void> {
      for (const [name, value] of expected) {
        const r = await run(["read", name]);
        expect(r.code, d(r)).toBe(EXIT.ok);
        expect(r.stdout === `${value}\n`, `read ${name} printed the expected value`).toBe(true);
      }
    },
    /** Reading again sends no request to the provider: the count stays where it was. */
    async cacheHit(names: readonly string[], requests: () => number): Promise<void> {
      const before = requests();
      for (const name of names) {
        const r = await run(["read", name]);
        expect(r.code, d(r)).toBe(EXIT.ok);
      }
      expect(requests()).toBe(before);
    },
    /**
     * After the provider stopped accepting the credentials (and the cache was reset), `read`
     * reaches the provider, fails with the authentication exit code, names the reauth command,
     * and the integration shows auth-expired.
     */
    async expiredRead(name: string, integration: string, requests: () => number): Promise<void> {
      const reset = await run(["cache", "reset"]);
      expect(reset.code, d(reset)).toBe(EXIT.ok);
      const before = requests();
      const r = await run(["read", name]);
      expect(requests()).toBeGreaterThan(before);
      expect(r.code, d(r)).toBe(EXIT.auth);
      expect(r.stdout === "", "nothing on stdout").toBe(true);
      expect(r.stderr, d(r)).toMatch(/^error: .*auth-expired/);
      expect(r.stderr, d(r)).toMatch(
        new RegExp(`^hint: .*vaultlink integration reauth ${integration}\\b`, "m"),
      );
      const s = await integrationStatus(v, integration);
      expect(s.info?.status, d(s.result)).toBe("auth-expired");
    },
    /** No value or credential on any stderr or on the stdout of anything but `read`; no stack trace. */
    noLeaks(): void {
      expect(v.runs.length).toBeGreaterThan(10);
      expect(
        leaksAny(
          v.runs.map((r) => r.stderr),
          secrets(),
        ),
        "a secret appeared on stderr",
      ).toBe(false);
      const nonRead = v.runs.filter((r) => r.args[0] !== "read").map((r) => r.stdout);
      expect(
        leaksAny(nonRead, secrets()),
        "a secret appeared on stdout of a non-read command",
      ).toBe(false);
      const traced = v.runs.filter((r) => hasStackTrace(r.stderr) || hasStackTrace(r.stdout));
      expect(traced.map((r) => r.args.join(" "))).toEqual([]);
    },
  };
}
