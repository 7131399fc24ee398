import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const CLI_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const BIN = join(CLI_DIR, "dist", "bin.cjs");
export const FIXTURES = join(CLI_DIR, "test", "fixtures");

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The environment every CLI run starts from: nothing of the developer's own vault. */
export function baseEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k.startsWith("VAULTLINK_") || k === "NO_COLOR" || k === "FORCE_COLOR")
      continue;
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

/** Run the built binary (no terminal). */
export function cli(
  args: readonly string[],
  options: {
    env?: Record<string, string | undefined>;
    input?: string;
    cwd?: string;
    nodeArgs?: string[];
  } = {},
): Promise<RunResult> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), BIN, ...args], {
      env: baseEnv(options.env),
      cwd: options.cwd ?? CLI_DIR,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", rej);
    child.on("close", (code, signal) => res({ code, signal, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}

export interface TestVault {
  home: string;
  key: string;
  env: Record<string, string | undefined>;
  run(
    args: readonly string[],
    options?: { env?: Record<string, string | undefined>; input?: string },
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

export function noStack(text: string): boolean {
  return !/\n\s{4}at /.test(text);
}
