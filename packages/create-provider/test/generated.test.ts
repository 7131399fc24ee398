/**
 * The generated project has the provider package layout (decision 0022) and passes its own
 * typecheck and tests (among them: ctx.concurrency and ctx.requestTimeoutMs are honoured). It
 * is written inside this package, so its imports of @vaultlink/core, @vaultlink/testkit, vitest
 * and typescript resolve to the workspace's; the install from packed tarballs outside the workspace is
 * packages/cli/test/install/packed-plugin.test.ts.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scaffold } from "../src/scaffold.js";

const execFileP = promisify(execFile);
const require = createRequire(import.meta.url);
const PACKAGE_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
let parent: string;
let project: string;

/** This process's environment without the variables of the vitest run it is in. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(VITEST|TINYPOOL|NODE_OPTIONS)/.test(k)),
  );
}

async function node(args: string[]): Promise<{ code: number; output: string }> {
  try {
    const r = await execFileP(process.execPath, args, {
      cwd: project,
      env: cleanEnv(),
      timeout: 240_000,
    });
    return { code: 0, output: r.stdout + r.stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: Number(e.code ?? 1), output: `${e.stdout ?? ""}${e.stderr ?? ""}` };
  }
}

beforeAll(async () => {
  parent = await mkdtemp(join(PACKAGE_DIR, "test", ".generated-"));
  project = join(parent, "vaultlink-provider-gen-check");
  await scaffold({
    id: "gen-check",
    packageName: "vaultlink-provider-gen-check",
    title: "Generated check",
    target: project,
  });
});
afterAll(async () => {
  if (parent) await rm(parent, { recursive: true, force: true });
});

/** The files every provider package has (docs/decisions/0022-provider-package-layout.md). */
const LAYOUT = [
  "src/index.ts",
  "src/meta.ts",
  "src/settings.ts",
  "src/auth/methods.ts",
  "src/auth/sign-in.ts",
  "src/reference.ts",
  "src/instance.ts",
  "src/client.ts",
  "src/fetch.ts",
  "src/errors.ts",
];

describe("the generated project", () => {
  it("has the provider package layout, with only the definition and exports in src/index.ts", async () => {
    for (const file of LAYOUT) {
      expect((await readFile(join(project, file), "utf8")).length, file).toBeGreaterThan(0);
    }
    const index = await readFile(join(project, "src/index.ts"), "utf8");
    // Top-level code is imports, exports and the one `export default defineProvider({...})`.
    const topLevel = index
      .split("\n")
      .filter((line) => /^[^\s}/*]/.test(line) && !/^\s*$/.test(line));
    expect(topLevel.filter((line) => !/^(import|export) /.test(line))).toEqual([]);
    expect(index).toContain("export default defineProvider({");
  });

  it("typechecks and builds", async () => {
    const tsc = join(dirname(require.resolve("typescript/package.json")), "bin", "tsc");
    const check = await node([tsc, "-p", "tsconfig.json"]);
    expect(check.code, check.output).toBe(0);
    const build = await node([tsc, "-p", "tsconfig.build.json"]);
    expect(build.code, build.output).toBe(0);
  }, 240_000);

  it("passes its own conformance and unit tests", async () => {
    const vitest = join(dirname(require.resolve("vitest/package.json")), "vitest.mjs");
    const r = await node([vitest, "run"]);
    expect(r.code, r.output.slice(-3000)).toBe(0);
    expect(r.output).toMatch(/Tests\s+.*\d+ passed/);
    expect(r.output).not.toMatch(/failed|skipped/);
  }, 240_000);
});
