import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll } from "vitest";

export const CLI_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const BIN = join(CLI_DIR, "dist", "bin.cjs");
export const FIXTURES = join(CLI_DIR, "test", "fixtures");

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment every CLI run starts from: nothing of the developer's own vault, nor any
 * variable matching `drop`; then `extra` (undefined deletes).
 */
export function baseEnv(
  extra: Record<string, string | undefined> = {},
  drop?: RegExp,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k.startsWith("VAULTLINK_") || k === "NO_COLOR" || k === "FORCE_COLOR")
      continue;
    if (drop?.test(k)) continue;
    env[k] = v;
  }
  if (process.env.VAULTLINK_IN_KEYRING_SESSION)
    env.VAULTLINK_IN_KEYRING_SESSION = process.env.VAULTLINK_IN_KEYRING_SESSION;
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/**
 * Run `node [nodeArgs] dist/bin.cjs <args>` in exactly `env`, with stdin `input` (no terminal);
 * `node` is this test's Node unless given.
 */
export function spawnCli(
  args: readonly string[],
  env: Record<string, string>,
  options: {
    input?: string | Buffer;
    cwd?: string;
    nodeArgs?: string[];
    timeoutMs?: number;
    node?: string;
  } = {},
): Promise<RunResult> {
  return new Promise((res, rej) => {
    const child = spawn(
      options.node ?? process.execPath,
      [...(options.nodeArgs ?? []), BIN, ...args],
      {
        env,
        cwd: options.cwd ?? CLI_DIR,
        stdio: ["pipe", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", (e) => {
      clearTimeout(timer);
      rej(e);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      res({ code, signal, stdout, stderr });
    });
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.input ?? "");
  });
}

/** Run the built binary (no terminal). */
export function cli(
  args: readonly string[],
  options: {
    env?: Record<string, string | undefined>;
    input?: string | Buffer;
    cwd?: string;
    nodeArgs?: string[];
  } = {},
): Promise<RunResult> {
  const { env, ...rest } = options;
  return spawnCli(args, baseEnv(env), rest);
}

export interface TestVault {
  home: string;
  key: string;
  env: Record<string, string | undefined>;
  run(
    args: readonly string[],
    options?: { env?: Record<string, string | undefined>; input?: string | Buffer },
  ): Promise<RunResult>;
  vaultHash(): string;
  cleanup(): void;
}

export function tempHome(): string {
  return mkdtempSync(join(tmpdir(), "vaultlink-cli-"));
}

/** A new vault in a temporary VAULTLINK_HOME (created through the CLI, no keychain). */
export async function newVault(options: { config?: unknown } = {}): Promise<TestVault> {
  const home = tempHome();
  if (options.config !== undefined)
    writeFileSync(join(home, "config.json"), JSON.stringify(options.config));
  const created = await cli(["vault", "create", "--json", "--no-keychain"], {
    env: { VAULTLINK_HOME: home, DBUS_SESSION_BUS_ADDRESS: undefined },
  });
  if (created.code !== 0) throw new Error(`vault create failed: ${created.stderr}`);
  const key = (JSON.parse(created.stdout) as { vaultKey: string }).vaultKey;
  const env: Record<string, string | undefined> = {
    VAULTLINK_HOME: home,
    VAULTLINK_VAULT_KEY: key,
    DBUS_SESSION_BUS_ADDRESS: undefined,
  };
  return {
    home,
    key,
    env,
    run: (args, o = {}) =>
      cli(args, {
        env: { ...env, ...o.env },
        ...(o.input !== undefined ? { input: o.input } : {}),
      }),
    vaultHash: () => hashFile(join(home, "vault.vlt")),
    cleanup: () => rmSync(home, { recursive: true, force: true }),
  };
}

export function hashFile(file: string): string {
  return existsSync(file)
    ? createHash("sha256").update(readFileSync(file)).digest("hex")
    : "absent";
}

/** A vault with the JSON test provider configured and connected as integration "json". */
export async function vaultWithProvider(
  values: Record<string, unknown>,
): Promise<TestVault & { valuesFile: string; fetches(): number }> {
  const v = await newVault({ config: { plugins: [join(FIXTURES, "json-provider.js")] } });
  const file = join(v.home, "values.json");
  writeFileSync(file, JSON.stringify(values));
  const connected = await v.run(
    ["integration", "connect", "jsonfile", "--id", "json", "--file", file],
    { env: { JSONFILE_TOKEN: "good-token" } },
  );
  if (connected.code !== 0) throw new Error(`connect failed: ${connected.stderr}`);
  return {
    ...v,
    valuesFile: file,
    fetches: () =>
      existsSync(`${file}.count`)
        ? readFileSync(`${file}.count`, "utf8").split("\n").filter(Boolean).length
        : 0,
  };
}

/**
 * One vault for a whole describe block: made in beforeAll, removed in afterAll. The returned
 * object is filled in by beforeAll, so use it inside tests and hooks only.
 */
export function vaultPerSuite<T extends TestVault>(make: () => Promise<T>): T {
  const v = {} as T;
  beforeAll(async () => {
    Object.assign(v, await make());
  });
  afterAll(() => v.cleanup?.());
  return v;
}

export function noStack(text: string): boolean {
  return !/\n\s{4}at /.test(text);
}
