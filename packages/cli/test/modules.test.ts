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
    // --no-check: the fetch count below is about reads only.
    await v.run(["secret", "link", "linked", "json", "json://k", "--no-check"]);
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

  it.each([
    ["a cached linked secret", "linked"],
    ["a local secret", "local"],
  ])(
    "read of %s is answered by the quick path: no parser, no engine, no prompts",
    async (_l, name) => {
      const loaded = await record(["read", name]);
      expect(loaded.some((m) => /vaultlink-quick-[\w-]+\.cjs$/.test(m))).toBe(true);
      expect(
        loaded.filter((m) => /commander-|vaultlink-core-|prompts-|program-|@clack/.test(m)),
      ).toEqual([]);
    },
  );

  it("the quick path prints exactly what the full path prints", async () => {
    // --debug is not one of read's own flags, so it sends the same read down the full path.
    for (const flags of [[], ["--json"], ["-n"], ["--no-newline", "--json"]]) {
      for (const name of ["linked", "local"]) {
        const quick = await v.run(["read", name, ...flags]);
        const full = await v.run(["--debug", "read", name, ...flags]);
        expect(quick.code).toBe(0);
        expect(full.code).toBe(0);
        expect(quick.stdout === full.stdout, `read ${name} ${flags.join(" ")}`).toBe(true);
        expect(quick.stderr).toBe("");
      }
    }
    const full = await record(["--debug", "read", "linked"]);
    expect(full.some((m) => /vaultlink-core-[\w-]+\.cjs$/.test(m))).toBe(true);
  });

  it("a read the quick path cannot answer goes the full way and reports why", async () => {
    const r = await v.run(["read", "no-such-secret"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/no-such-secret/);
    expect(r.stdout).toBe("");
  });

  it("the cached read did not call the provider again", () => {
    expect(v.fetches()).toBe(1);
  });
});
