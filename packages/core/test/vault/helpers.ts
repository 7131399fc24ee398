import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll } from "vitest";
import type { SecretRecord } from "../../src/vault/index.js";

const run = promisify(execFile);

export const coreDir = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const repoDir = resolve(coreDir, "../..");
export const fixturesDir = join(coreDir, "test/vault/fixtures");

/** A fresh temp directory; the returned function removes it. */
export async function tempDir(
  prefix = "vaultlink-vault-",
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export function secret(name: string, value: string, at = "2024-01-01T00:00:00.000Z"): SecretRecord {
  return { name, value, allowedDomains: [], enabled: true, createdAt: at, updatedAt: at };
}

/**
 * Compile src/vault (and what it imports: errors/) to plain JS for child processes. It goes to
 * a private directory under node_modules/.cache so bare imports (zod, proper-lockfile, …)
 * resolve from packages/core/node_modules, and so it never races with `tsc -p` writing dist/
 * or depends on the rest of core compiling.
 */
export async function buildVaultModule(): Promise<{
  moduleUrl: string;
  cleanup: () => Promise<void>;
}> {
  // A fresh install has no node_modules/.cache yet.
  await mkdir(join(coreDir, "node_modules/.cache"), { recursive: true });
  const out = await mkdtemp(join(coreDir, "node_modules/.cache/vault-test-"));
  const tsc = join(coreDir, "node_modules/.bin/tsc");
  await run(
    tsc,
    [
      "--ignoreConfig",
      join(coreDir, "src/vault/index.ts"),
      "--outDir",
      out,
      "--rootDir",
      join(coreDir, "src"),
      "--module",
      "nodenext",
      "--moduleResolution",
      "nodenext",
      "--target",
      "es2023",
      "--types",
      "node",
      "--skipLibCheck",
      "--strict",
    ],
    { cwd: coreDir, timeout: 120_000 },
  ).catch((error: { stdout?: string; stderr?: string }) => {
    throw new Error(
      `building src/vault for child processes failed:\n${error.stdout ?? ""}${error.stderr ?? ""}`,
    );
  });
  return {
    moduleUrl: pathToFileURL(join(out, "vault/index.js")).href,
    cleanup: () => rm(out, { recursive: true, force: true }),
  };
}

/**
 * Build src/vault for child processes once per test file (before all its tests) and remove
 * the build afterwards. Returns a getter for the module URL, valid inside tests.
 */
export function useVaultModule(): () => string {
  let moduleUrl: string | undefined;
  let cleanBuild: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    ({ moduleUrl, cleanup: cleanBuild } = await buildVaultModule());
  });
  afterAll(async () => {
    await cleanBuild?.();
  });
  return () => {
    if (moduleUrl === undefined) throw new Error("the vault module is built in beforeAll");
    return moduleUrl;
  };
}

/** Expect `promise` to reject with a vaultlink error of `code`; returns the error. */
export async function rejectsWithCode(
  promise: Promise<unknown>,
  code: string,
): Promise<{ code: string; message: string; hint?: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { code?: string; message: string; hint?: string };
    if (e.code !== code) {
      throw new Error(`expected ${code}, got ${String(e.code)}: ${e.message}`);
    }
    return e as { code: string; message: string; hint?: string };
  }
  throw new Error(`expected ${code}, but it resolved`);
}

export function throwsWithCode(
  fn: () => unknown,
  code: string,
): { code: string; message: string; hint?: string } {
  try {
    fn();
  } catch (error) {
    const e = error as { code?: string; message: string; hint?: string };
    if (e.code !== code) throw new Error(`expected ${code}, got ${String(e.code)}: ${e.message}`);
    return e as { code: string; message: string; hint?: string };
  }
  throw new Error(`expected ${code}, but it returned`);
}
