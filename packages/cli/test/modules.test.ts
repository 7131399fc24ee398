import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, FIXTURES, vaultWithProvider } from "./helpers.js";

const SDKS = /@aws-sdk|@smithy|@azure|node-vault|@1password/;
const PROVIDERS = /@vaultlink\/provider-|provider-(aws|azure|hashicorp|1password)\/dist/;

describe("modules loaded by fast commands", () => {
  let v: Awaited<ReturnType<typeof vaultWithProvider>>;
  let n = 0;
  const record = async (args: string[]): Promise<string[]> => {
    const file = join(v.home, `modules-${n++}.txt`);
    const r = await cli(args, {
      env: { ...v.env, RECORD_MODULES_FILE: file },
      nodeArgs: ["--import", join(FIXTURES, "record-modules.mjs")],
    });
    expect(r.code, r.stderr).toBe(0);
    const lines = readFileSync(file, "utf8").split("\n").filter(Boolean);
    rmSync(file);
    return lines;
  };

  beforeAll(async () => {
    v = await vaultWithProvider({ k: "cached-value-12" });
    await v.run(["secret", "link", "linked", "json", "json://k"]);
    await v.run(["secret", "add", "local"], { input: "local-value-13" });
    expect((await v.run(["read", "linked"])).code).toBe(0);
  });
  afterAll(() => v.cleanup());

  it("the recorder sees provider modules when a command does load them", async () => {
    const loaded = await record(["plugins", "list", "--json"]);
    expect(loaded.some((m) => PROVIDERS.test(m))).toBe(true);
    expect(loaded.some((m) => /commander-[\w-]+\.cjs$/.test(m))).toBe(true);
    expect(loaded.some((m) => /vaultlink-core-[\w-]+\.cjs$/.test(m))).toBe(true);
  });

  it.each([
    ["--help", ["--help"]],
    ["--version", ["--version"]],
    ["secret --help", ["secret", "--help"]],
    ["read of a cached linked secret", ["read", "linked"]],
    ["read of a local secret", ["read", "local"]],
  ])("%s loads no provider SDK and no first-party provider module", async (_label, args) => {
    const loaded = await record(args);
    expect(loaded.length).toBeGreaterThan(0);
    expect(loaded.filter((m) => SDKS.test(m))).toEqual([]);
    expect(loaded.filter((m) => PROVIDERS.test(m))).toEqual([]);
  });

  it("--help and --version load neither core nor the prompt library", async () => {
    for (const args of [["--help"], ["--version"]]) {
      const loaded = await record(args);
      // The CLI is bundled: core and the prompt library live in named chunks.
      expect(loaded.some((m) => m.endsWith("bin.cjs"))).toBe(true);
      expect(
        loaded.filter((m) => /vaultlink-core-|prompts-|@vaultlink\/core|@clack/.test(m)),
      ).toEqual([]);
    }
  });

  it("the cached read did not call the provider again", () => {
    expect(v.fetches()).toBe(1);
  });
});
