import { spawn } from "node:child_process";
import { ErrorCodes } from "@vaultlink/core";
import { describe, expect, it } from "vitest";
import { ERROR_CODE_DOCS } from "../src/errors.js";
import { osError } from "../src/os-errors.js";
import { BIN, baseEnv, CLI_DIR, newVault, vaultPerSuite } from "./helpers.js";
import { onTerminal } from "./pty.js";

/**
 * The CLI's contract beyond the bad-input table: bounded reports, signals, prompts cancelled,
 * operating-system failures (those a test running as root cannot provoke are checked on the
 * mapping itself), and the documented error codes.
 */

/** An errno error as Node raises it (fs and child_process). */
function errno(code: string, syscall: string, path?: string): NodeJS.ErrnoException {
  const e = new Error(`${code}: ${syscall}${path ? ` '${path}'` : ""}`) as NodeJS.ErrnoException;
  e.code = code;
  e.syscall = syscall;
  if (path !== undefined) e.path = path;
  return e;
}

describe("operating-system failures say what and how to fix it", () => {
  it.each([
    ["EACCES", /Permission denied: \/srv\/out\.txt\./, /permissions/],
    ["EPERM", /does not permit this on \/srv\/out\.txt/, /permissions/],
    ["ENOSPC", /No space left on the device of \/srv\/out\.txt/, /Free some disk space/],
    ["EDQUOT", /quota is used up/, /quota/],
    ["EISDIR", /\/srv\/out\.txt is a directory, not a file/, /path of a file/],
    ["EROFS", /\/srv\/out\.txt is on a read-only file system/, /write to/],
    ["ENOENT", /\/srv\/out\.txt does not exist/, /mkdir -p/],
    ["ENAMETOOLONG", /too long/, /shorter/],
    ["EMFILE", /Too many files are open/, /ulimit -n/],
    ["EIO", /input\/output error/, /Check the disk/],
    ["EWEIRD", /refused open on \/srv\/out\.txt \(EWEIRD\)/, /permissions/],
  ])("%s", (code, message, hint) => {
    const e = osError(errno(code, "open", "/srv/out.txt"));
    expect(e?.message).toMatch(message);
    expect(e?.hint).toMatch(hint);
    expect(e?.hint).not.toMatch(/bug/);
    expect(e?.code).toBe(`OS_${code}`);
    expect(e?.exitCode).toBe(1);
  });

  it("spawn E2BIG names the environment and the way around it", () => {
    const e = osError(errno("E2BIG", "spawn node", "node"));
    expect(e?.message).toMatch(/too big for the operating system \(spawn E2BIG\)/);
    expect(e?.hint).toMatch(/resolve --out/);
  });

  it("finds the OS failure in an error's cause, and leaves other errors alone", () => {
    const wrapped = new Error("could not save", { cause: errno("ENOSPC", "write", "/v/x") });
    expect(osError(wrapped)?.code).toBe("OS_ENOSPC");
    expect(osError(new Error("boom"))).toBeUndefined();
    expect(osError(Object.assign(new Error("x"), { code: "VAULT_BUSY" }))).toBeUndefined();
  });
});

describe("every error code is documented", () => {
  it("lists each code core raises, once, with its exit code", () => {
    const documented = ERROR_CODE_DOCS.map(([code]) => code);
    expect(new Set(documented).size).toBe(documented.length);
    for (const code of Object.values(ErrorCodes)) expect(documented).toContain(code);
  });
});

describe("many unresolved references", () => {
  const v = vaultPerSuite(() => newVault());

  it("10,000 unresolved references: 20 listed, the rest summarised; --json lists them all", async () => {
    const names = Array.from({ length: 10_000 }, (_, i) => `missing-${i}`);
    const template = names.map((n) => `{{vault:${n}}}`).join("\n");
    const before = v.vaultHash();
    const r = await v.run(["resolve"], { input: template });
    expect(r.code).toBe(3);
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines[0]).toBe("error: 10,000 references are unresolved:");
    expect(lines).toHaveLength(1 + 20 + 1 + 1);
    expect(lines[21]).toBe("  … and 9,980 more (9,980 missing)");
    expect(lines[22]).toMatch(/^hint: /);
    expect(r.stdout).toBe("");

    const j = await v.run(["resolve", "--json"], { input: template });
    expect(j.code).toBe(3);
    const e = (
      JSON.parse(j.stdout) as {
        error: { code: string; details: { unresolved: Array<{ name: string; reason: string }> } };
      }
    ).error;
    expect(e.code).toBe("UNRESOLVED");
    expect(e.details.unresolved.map((u) => u.name)).toEqual(names);
    expect(new Set(e.details.unresolved.map((u) => u.reason))).toEqual(new Set(["missing"]));
    expect(j.stderr.trimEnd().split("\n")).toHaveLength(23);
    expect(v.vaultHash()).toBe(before);
  });

  it("--allow-unresolved warns about 20 of them and counts the rest", async () => {
    const template = Array.from({ length: 500 }, (_, i) => `{{vault:gone-${i}}}`).join(" ");
    const r = await v.run(["resolve", "--allow-unresolved"], { input: template });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(template);
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(21);
    expect(lines[20]).toBe("warning: … and 480 more references left as written");
  });
});

describe("signals and cancelled prompts", () => {
  const v = vaultPerSuite(() => newVault());

  /** `secret add` waiting on a stdin that never ends, then `signal`. */
  async function interrupted(
    signal: NodeJS.Signals,
  ): Promise<{ code: number | null; stderr: string }> {
    const child = spawn(process.execPath, [BIN, "secret", "add", "waiting"], {
      env: baseEnv(v.env),
      cwd: CLI_DIR,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdin.write("half a val");
    // The CLI is up and reading stdin once the vault lock is free again: give it that long.
    await new Promise((r) => setTimeout(r, 1500));
    child.kill(signal);
    const code = await new Promise<number | null>((res) => child.on("close", (c) => res(c)));
    return { code, stderr };
  }

  it("Ctrl-C (SIGINT) exits 130 and changes nothing", async () => {
    const before = v.vaultHash();
    const r = await interrupted("SIGINT");
    expect(r.code).toBe(130);
    expect(r.stderr).not.toMatch(/^\s{4}at /m);
    expect(v.vaultHash()).toBe(before);
    expect((await v.run(["secret", "get", "waiting"])).code).toBe(1);
  });

  it("SIGTERM exits 143 and changes nothing", async () => {
    const before = v.vaultHash();
    const r = await interrupted("SIGTERM");
    expect(r.code).toBe(143);
    expect(v.vaultHash()).toBe(before);
  });

  it("Ctrl-C at a masked prompt exits 130 and adds nothing", async () => {
    const before = v.vaultHash();
    const s = onTerminal(["secret", "add", "typed"], v.env);
    await s.waitFor(/Enter the value of typed/);
    s.type("half");
    s.type("\u0003");
    expect(await s.exit).toBe(130);
    expect(s.output()).toMatch(/Cancelled/);
    expect(s.output()).not.toContain("half");
    expect(v.vaultHash()).toBe(before);
  });
});

describe("vault reset --no-keychain", () => {
  it("says nothing about the keychain", async () => {
    const v = await newVault();
    try {
      const r = await v.run(["vault", "reset", "--yes", "--no-keychain"]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^vlk_/);
      expect(r.stderr).not.toMatch(/keychain/i);
      expect(r.stderr).toMatch(/VAULTLINK_VAULT_KEY/);
    } finally {
      v.cleanup();
    }
  });
});
