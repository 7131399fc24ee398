/**
 * `vaultlink completion bash` driven the way bash drives it: the script sourced into a real bash
 * with bash-completion loaded, `complete -p` showing the registration, and the completion
 * function called with COMP_WORDS / COMP_CWORD / COMP_LINE / COMP_POINT set; COMPREPLY holds the
 * candidates. The built CLI answers through a `vaultlink` on PATH, with secret names and
 * integration ids from a real vault (the 1Password Connect emulator behind one integration).
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import {
  type RunningOnePasswordConnect,
  startOnePasswordConnectEmulator,
} from "@vaultlink/emulators";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN } from "./helpers.js";
import { childEnv, createVault, describeRun, type E2eVault } from "./providers/helpers.js";

const BASH_COMPLETION = "/usr/share/bash-completion/bash_completion";
const VALUES = ["completion-value-stripe-71a2", "completion-value-db-0c93"];

let dir: string;
let bin: string;
let script: string;
let emu: RunningOnePasswordConnect;
let v: E2eVault;

beforeAll(async () => {
  if (!existsSync(BASH_COMPLETION)) {
    throw new Error(
      `${BASH_COMPLETION} is missing: run scripts/ensure-system-deps.sh (installs bash-completion).`,
    );
  }
  dir = mkdtempSync(join(tmpdir(), "vaultlink-completion-"));
  bin = join(dir, "bin");
  spawnSync("mkdir", [bin]);
  // The completion script calls `vaultlink` by name, as an installed CLI is called.
  writeFileSync(join(bin, "vaultlink"), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(join(bin, "vaultlink"), 0o755);

  emu = await startOnePasswordConnectEmulator({
    vaults: [
      {
        name: "C",
        items: [{ title: "S", fields: [{ label: "f", value: "x", type: "CONCEALED" }] }],
      },
    ],
  });
  v = await createVault();
  for (const [name, value] of [
    ["stripe-key", VALUES[0]],
    ["db.password", VALUES[1]],
  ] as const) {
    const r = await v.run(["secret", "add", name], { input: value });
    expect(r.code, describeRun(r)).toBe(0);
  }
  const connected = await v.run(
    [
      "integration",
      "connect",
      "1password",
      "--method",
      "connect",
      "--host",
      emu.serverURL,
      "--secrets-stdin",
    ],
    { input: JSON.stringify({ token: emu.token }) },
  );
  expect(connected.code, describeRun(connected)).toBe(0);

  const printed = await v.run(["completion", "bash"]);
  expect(printed.code, describeRun(printed)).toBe(0);
  script = join(dir, "vaultlink.bash");
  writeFileSync(script, printed.stdout);
}, 120_000);

afterAll(async () => {
  v?.cleanup();
  await emu?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Run `body` in bash with bash-completion and the vaultlink script loaded. */
function bash(body: string, env: Record<string, string | undefined> = {}) {
  const program = `source ${BASH_COMPLETION}\nsource ${script}\n${body}`;
  const r = spawnSync("bash", ["--norc", "--noprofile", "-c", program], {
    env: childEnv({
      PATH: [bin, dirname(process.execPath), process.env.PATH ?? ""].join(delimiter),
      VAULTLINK_HOME: v.home,
      VAULTLINK_VAULT_KEY: v.key,
      ...env,
    }),
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The candidates bash offers after typing `line` (the cursor at its end). */
function candidates(line: string, env: Record<string, string | undefined> = {}): string[] {
  const words = line.split(" ");
  const body = [
    `COMP_LINE=${JSON.stringify(line)}`,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: bash's own expansion, not JavaScript's
    "COMP_POINT=${#COMP_LINE}",
    `COMP_WORDS=(${words.map((w) => JSON.stringify(w)).join(" ")})`,
    `COMP_CWORD=${words.length - 1}`,
    `$(complete -p vaultlink | sed -E 's/.* -F ([^ ]+) .*/\\1/')`,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: bash's own expansion, not JavaScript's
    'printf "%s\\n" "${COMPREPLY[@]}"',
  ].join("\n");
  const r = bash(body, env);
  expect(r.code, r.stderr).toBe(0);
  // compopt works only under readline's own completion; called directly it says so, and that
  // is all stderr may hold (the CLI's answers carry nothing there).
  const stderr = r.stderr
    .split("\n")
    .filter((l) => l !== "" && !l.includes("compopt: not currently executing completion function"));
  expect(stderr).toEqual([]);
  expect(
    VALUES.some((value) => r.stdout.includes(value)),
    "a value in the candidates",
  ).toBe(false);
  return r.stdout.split("\n").filter((l) => l !== "");
}

describe("bash completion", () => {
  it("registers a completion function for vaultlink (complete -p)", () => {
    const r = bash("complete -p vaultlink");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^complete -F \S+ vaultlink$/m);
  });

  it("completes command names, without the hidden callback", () => {
    const top = candidates("vaultlink ");
    for (const c of ["vault", "secret", "read", "run", "integration", "completion", "doctor"]) {
      expect(top).toContain(c);
    }
    expect(top).not.toContain("complete");
    expect(candidates("vaultlink se")).toEqual(["secret", "settings"]);
    expect(candidates("vaultlink secret ")).toEqual(
      expect.arrayContaining(["add", "list", "get", "link", "unlink", "delete"]),
    );
  });

  it("completes options of the command being typed", () => {
    expect(candidates("vaultlink read --")).toEqual(expect.arrayContaining(["--url", "--json"]));
    expect(candidates("vaultlink secret add --d")).toEqual(["--domains", "--disabled"]);
    expect(candidates("vaultlink import x --on-conflict ")).toEqual(["skip", "replace", "rename"]);
    expect(candidates("vaultlink completion ")).toEqual(["bash", "zsh", "fish"]);
  });

  it("completes secret names and integration ids from the vault, never values", () => {
    expect(candidates("vaultlink read ")).toEqual(["db.password", "stripe-key"]);
    expect(candidates("vaultlink secret get st")).toEqual(["stripe-key"]);
    expect(candidates("vaultlink secret link db.password ")).toEqual(["1password"]);
    expect(candidates("vaultlink integration status ")).toEqual(["1password"]);
  });

  it("offers no names, silently, when the vault key is not at hand without asking", () => {
    // No VAULTLINK_VAULT_KEY and no Secret Service to ask (no D-Bus session).
    const env = { VAULTLINK_VAULT_KEY: undefined, DBUS_SESSION_BUS_ADDRESS: undefined };
    expect(candidates("vaultlink read ", env)).toEqual([]);
    expect(candidates("vaultlink secret ", env)).toContain("add");
  });
});

describe("vaultlink completion", () => {
  it("prints zsh and fish scripts that call back the CLI", async () => {
    const zsh = await v.run(["completion", "zsh"]);
    expect(zsh.code, describeRun(zsh)).toBe(0);
    expect(zsh.stdout).toMatch(/^#compdef vaultlink/m);
    expect(zsh.stdout).toContain("complete --");
    const fish = await v.run(["completion", "fish"]);
    expect(fish.code, describeRun(fish)).toBe(0);
    expect(fish.stdout).toContain("complete -c vaultlink");
  });

  it("refuses a shell it has no script for, naming the ones it has", async () => {
    const r = await v.run(["completion", "powershell"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: .*powershell.*bash, zsh, fish/m);
    expect(r.stdout).toBe("");
  });
});
