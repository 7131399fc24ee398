/**
 * No `.env` content changes how vaultlink itself runs, on every Node it supports. Node reads
 * `--env-file` from anywhere before `--` (also after the script name) and applies a NODE_OPTIONS
 * line in it to its own process; vaultlink therefore takes env files as `--dotenv` and refuses
 * Node's spelling. Runs on this test's Node, and on every Node binary listed (path-delimited) in
 * VAULTLINK_TEST_NODES, e.g. Node 22 and 24 from `npm install --prefix /tmp/node24 node@24`.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { describe, expect, it } from "vitest";
import { baseEnv, newVault, spawnCli, vaultPerSuite } from "./helpers.js";

const nodes = [
  process.execPath,
  ...(process.env.VAULTLINK_TEST_NODES ?? "").split(delimiter).filter((p) => p.trim() !== ""),
].map((path) => ({
  path,
  version: execFileSync(path, ["--version"], { encoding: "utf8" }).trim(),
}));

describe.each(nodes)("env files on Node $version", ({ path: node }) => {
  const v = vaultPerSuite(async () => {
    const t = await newVault();
    const added = await t.run(["secret", "add", "x"], { input: "x-secret-value-77" });
    if (added.code !== 0) throw new Error(added.stderr);
    return t;
  });
  /** A .env whose NODE_OPTIONS line would run evil.js, which logs the process it ran in. */
  function hostileEnvFile(): { file: string; log: string } {
    const evil = join(v.home, "evil.cjs");
    const log = join(v.home, "evil.log");
    writeFileSync(
      evil,
      `require("node:fs").appendFileSync(${JSON.stringify(log)}, process.argv.join(" ") + "\\n");`,
    );
    const file = join(v.home, "hostile.env");
    // It also points vaultlink elsewhere: an empty home and a config loading evil.cjs as a plugin.
    const config = join(v.home, "evil-config.json");
    writeFileSync(config, JSON.stringify({ plugins: [evil] }));
    writeFileSync(
      file,
      [
        `NODE_OPTIONS=--require ${evil}`,
        "FOO=plain-from-file",
        "S={{vault:x}}",
        `VAULTLINK_HOME=${join(v.home, "elsewhere")}`,
        `VAULTLINK_CONFIG=${config}`,
        "",
      ].join("\n"),
    );
    return { file, log };
  }
  const run = (args: string[], cwd?: string) =>
    spawnCli(args, baseEnv(v.env), { node, ...(cwd ? { cwd } : {}) });

  it("--dotenv: the command gets the file's variables; neither Node nor vaultlink itself acts on them", async () => {
    const { file, log } = hostileEnvFile();
    const r = await run([
      "run",
      "--dotenv",
      file,
      "--",
      "sh",
      "-c",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the shell's expansion, not JavaScript's
      'printf "%s %s %s" "$FOO" "$S" "${NODE_OPTIONS%% *}"',
    ]);
    expect(r.code, r.stderr).toBe(0);
    // S resolved from the real vault (VAULTLINK_HOME in the file did not move vaultlink).
    expect(r.stdout).toBe("plain-from-file ******** --require");
    // Nothing ran evil.js: not vaultlink (the command is sh, which does not load it).
    expect(existsSync(log) ? readFileSync(log, "utf8") : "").toBe("");
  });

  it("--dotenv with a missing file is vaultlink's usage error, not Node's exit 9", async () => {
    const r = await run(["run", "--dotenv", join(v.home, "missing.env"), "--", "true"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: Cannot read the env file .*missing\.env: ENOENT\./);
  });

  it.each([["--env-file", "FILE"], ["--env-file=FILE"], ["--env-file-if-exists=FILE"]])(
    "%s is refused before anything runs, with the spelling to use",
    async (...spelling) => {
      const { file } = hostileEnvFile();
      const marker = join(v.home, "command-ran");
      const args = spelling.map((a) => a.replace("FILE", file));
      const r = await run(["run", ...args, "--", "sh", "-c", `touch ${marker}`]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^error: --env-file(-if-exists)? is read by Node itself/);
      expect(r.stderr).toContain("hint: Give the file as --dotenv <file>");
      expect(existsSync(marker)).toBe(false);
      expect(r.stderr).not.toMatch(/\n\s{4}at /);
    },
  );

  it("a missing --env-file file stops Node itself (exit 9) before vaultlink runs: the limit SECURITY.md states", async () => {
    const r = await run(["run", "--env-file", join(v.home, "nope.env"), "--", "true"]);
    expect(r.code).toBe(9);
    expect(r.stdout).toBe("");
    expect(r.stderr).not.toContain("error:");
  });

  it("--env-file after -- belongs to the command and is passed through", async () => {
    const r = await run(["run", "--", "sh", "-c", 'printf "%s" "$1"', "sh", "--env-file"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("--env-file");
  });
});
