/**
 * The man page: generated at build from the commander definitions (src/man-page.ts), shipped in
 * the package (package.json "man"), and rendered here by man(1) itself with `man -l`.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderManPage } from "../src/man-page.js";
import { CLI_DIR } from "./helpers.js";

const PAGE = join(CLI_DIR, "dist", "vaultlink.1");

function render(file: string) {
  const r = spawnSync("man", ["-l", file], {
    encoding: "utf8",
    // Plain text at a fixed width: no pager, no terminal formatting.
    env: { ...process.env, MANPAGER: "cat", PAGER: "cat", MANWIDTH: "100", LANG: "C.UTF-8" },
    timeout: 30_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("man vaultlink", () => {
  it("is built into dist/ from the current definitions and installed through package.json", () => {
    expect(existsSync(PAGE), "build the CLI first").toBe(true);
    expect(readFileSync(PAGE, "utf8")).toBe(renderManPage());
    const pkg = JSON.parse(readFileSync(join(CLI_DIR, "package.json"), "utf8")) as {
      man?: string[];
      files?: string[];
    };
    expect(pkg.man).toEqual(["./dist/vaultlink.1"]);
  });

  it("renders with man -l, without warnings, listing every command and the exit codes", () => {
    const r = render(PAGE);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    // man's bold and underline: each character typed over itself with a backspace.
    const text = r.stdout.split("\b").reduce((acc, part) => acc.slice(0, -1) + part);
    for (const heading of [
      "NAME",
      "SYNOPSIS",
      "DESCRIPTION",
      "COMMANDS",
      "EXIT STATUS",
      "ENVIRONMENT",
    ]) {
      expect(text).toMatch(new RegExp(`^${heading}$`, "m"));
    }
    for (const command of [
      "vaultlink vault create",
      "vaultlink secret add",
      "vaultlink secret link",
      "vaultlink read",
      "vaultlink run",
      "vaultlink integration connect",
      "vaultlink completion",
      "vaultlink plugins list",
    ]) {
      expect(text).toContain(command);
    }
    expect(text).not.toContain("vaultlink complete ");
    expect(text).toContain("--domains <list>");
    expect(text).toContain("VAULTLINK_VAULT_KEY");
  });
});
