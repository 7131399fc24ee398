import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashFile, tempHome, vaultWithProvider } from "./helpers.js";

type Env = Record<string, string | undefined>;
interface Paths {
  home: string;
  emptyHome: string;
  damagedHome: string;
  exportFile: string;
  garbageExport: string;
}
interface Case {
  name: string;
  args: string[] | ((p: Paths) => string[]);
  code: number;
  /** Expected text in the error line. */
  says: RegExp;
  env?: Env | ((p: Paths) => Env);
  input?: string;
  /** Which vault file must stay unchanged (default: the main one). */
  file?: (p: Paths) => string;
}

/** One row of the table: what is run, the exit code, and what the error line says. */
function row(
  name: string,
  args: Case["args"],
  code: number,
  says: RegExp,
  extra: Pick<Case, "env" | "input" | "file"> = {},
): Case {
  return { name, args, code, says, ...extra };
}

const OTHER_KEY = "vlk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
const EXPORT_PASSWORD = "a long enough password";
const connectJson = (id: string) => (p: Paths) => [
  "integration",
  "connect",
  "jsonfile",
  "--id",
  id,
  "--file",
  join(p.home, "values.json"),
];

const cases: Case[] = [
  row("unknown command", ["bogus"], 2, /unknown command 'bogus'/),
  row("unknown subcommand", ["secret", "frobnicate"], 2, /unknown command/),
  row("unknown flag", ["secret", "list", "--bogus"], 2, /unknown option '--bogus'/),
  row("missing argument", ["secret", "add"], 2, /missing required argument 'name'/),
  row("read without a name", ["read"], 2, /missing required argument/),
  row("bad secret name", ["secret", "add", "bad name!"], 2, /not a valid secret name/, {
    input: "v",
  }),
  row("value as --value", ["secret", "add", "x", "--value", "s3cret"], 2, /shell history/),
  row("value as --value=", ["secret", "add", "x", "--value=s3cret"], 2, /shell history/),
  row("value as a positional", ["secret", "add", "x", "s3cret"], 2, /shell history/),
  row("edit with a positional value", ["secret", "edit", "exists", "s3cret"], 2, /shell history/),
  row("empty value on stdin", ["secret", "add", "new-one"], 2, /stdin was empty/, { input: "" }),
  row("existing name", ["secret", "add", "exists"], 1, /already exists/, { input: "v" }),
  row("TTL -1", ["settings", "set", "cache-ttl", "-1"], 2, /negative/),
  row("TTL 1.5", ["settings", "set", "cache-ttl", "1.5"], 2, /whole number/),
  row("TTL abc", ["settings", "set", "cache-ttl", "abc"], 2, /not a number/),
  row("TTL 99999", ["settings", "set", "cache-ttl", "99999"], 2, /longer than one week/),
  row("unknown setting", ["settings", "set", "colour", "5"], 2, /no setting named "colour"/),
  row("get unknown setting", ["settings", "get", "colour"], 2, /no setting/),
  row(
    "unknown integration (link)",
    ["secret", "link", "x", "nosuch", "json://a"],
    1,
    /no integration "nosuch"/,
  ),
  row(
    "malformed reference",
    ["secret", "link", "x", "json", "s3://bucket/key"],
    2,
    /not a json:\/\/ reference/,
  ),
  row(
    "--version on a provider without versions",
    ["secret", "link", "x", "json", "json://a", "--version", "3"],
    2,
    /references have no versions/,
  ),
  row(
    "bad name in link",
    ["secret", "link", "bad name", "json", "json://a"],
    2,
    /not a valid secret name/,
  ),
  row(
    "unknown provider",
    ["integration", "connect", "nosuch"],
    1,
    /No provider plugin with id "nosuch"/,
  ),
  row(
    "secret option on argv",
    ["integration", "connect", "jsonfile", "--id", "two", "--token", "good-token"],
    2,
    /shell history/,
  ),
  row(
    "missing required option without a terminal",
    ["integration", "connect", "jsonfile", "--id", "two"],
    2,
    /needs --file "file"/,
    { env: { JSONFILE_TOKEN: "good-token" } },
  ),
  row("connect twice", connectJson("json"), 1, /already connected/, {
    env: { JSONFILE_TOKEN: "good-token" },
  }),
  row("wrong provider token", connectJson("three"), 4, /refused/, {
    env: { JSONFILE_TOKEN: "bad" },
  }),
  row(
    "unknown integration (status)",
    ["integration", "status", "nosuch"],
    1,
    /no integration "nosuch"/,
  ),
  row(
    "unknown integration (disconnect)",
    ["integration", "disconnect", "nosuch"],
    1,
    /no integration/,
  ),
  row("read a missing secret", ["read", "nope"], 3, /unresolved \(missing\)/),
  row("edit a linked secret", ["secret", "edit", "linked"], 2, /linked to json/, { input: "v" }),
  row("domains without a mode", ["secret", "domains", "exists"], 2, /exactly one of/),
  row(
    "invalid domain",
    ["secret", "domains", "exists", "--add", "ftp://files.example.com"],
    2,
    /The allowed domain "ftp:\/\/files.example.com" uses ftp:\/\//,
  ),
  row(
    "rename to a bad name",
    ["secret", "rename", "exists", "bad name"],
    2,
    /not a valid secret name/,
  ),
  row(
    "delete a missing secret",
    ["secret", "delete", "nope", "--yes"],
    1,
    /no secret named "nope"/,
  ),
  row("delete without confirmation", ["secret", "delete", "exists"], 2, /needs confirmation/),
  row("reset without --yes", ["vault", "reset"], 2, /needs confirmation/),
  row("resolve a missing file", ["resolve", "--file", "/nonexistent/t.txt"], 2, /Cannot read/),
  row("run without a command", ["run"], 2, /missing required argument/),
  row("import a missing file", ["import", "/nonexistent/x.json"], 2, /Cannot read/),
  row(
    "import with a bad policy",
    (p) => ["import", p.exportFile, "--on-conflict", "merge"],
    2,
    /invalid/,
  ),
  row("damaged export", (p) => ["import", p.garbageExport], 1, /not a readable vaultlink export/, {
    env: { VAULTLINK_EXPORT_PASSWORD: EXPORT_PASSWORD },
  }),
  row("wrong export password", (p) => ["import", p.exportFile], 1, /password is wrong/, {
    env: { VAULTLINK_EXPORT_PASSWORD: "not the password!" },
  }),
  row("export password too short", ["export"], 1, /at least 12 characters/, {
    env: { VAULTLINK_EXPORT_PASSWORD: "short" },
  }),
  row("missing vault", ["secret", "list"], 6, /no vault in/, {
    env: (p) => ({ VAULTLINK_HOME: p.emptyHome }),
    file: (p) => join(p.emptyHome, "vault.vlt"),
  }),
  row("wrong key", ["secret", "list"], 6, /vault key does not belong to the vault/, {
    env: { VAULTLINK_VAULT_KEY: OTHER_KEY },
  }),
  row("malformed key", ["read", "exists"], 6, /vlk_/, {
    env: { VAULTLINK_VAULT_KEY: "not-a-key" },
  }),
  row("no key anywhere", ["secret", "list"], 6, /locked/, {
    env: { VAULTLINK_VAULT_KEY: undefined },
  }),
  row("damaged vault file", ["secret", "list"], 6, /vault file .* is damaged/, {
    env: (p) => ({ VAULTLINK_HOME: p.damagedHome }),
    file: (p) => join(p.damagedHome, "vault.vlt"),
  }),
  row(
    "unknown provider option",
    ["integration", "configure", "json", "--nosuch", "x"],
    2,
    /unknown option '--nosuch'/,
  ),
  row("configure without settings", ["integration", "configure", "json"], 2, /No setting given/),
];

describe("bad input: one clear line, a non-zero exit, and the vault unchanged", () => {
  let v: Awaited<ReturnType<typeof vaultWithProvider>>;
  let paths: Paths;
  beforeAll(async () => {
    v = await vaultWithProvider({ a: "value-a" });
    await v.run(["secret", "add", "exists"], { input: "existing-value" });
    await v.run(["secret", "link", "linked", "json", "json://a"]);
    const exportFile = `${v.home}-export.json`;
    await v.run(["export", "--out", exportFile], {
      env: { VAULTLINK_EXPORT_PASSWORD: EXPORT_PASSWORD },
    });
    const garbageExport = join(v.home, "garbage.json");
    writeFileSync(garbageExport, readFileSync(exportFile, "utf8").slice(0, 200));
    const emptyHome = tempHome();
    const damagedHome = tempHome();
    mkdirSync(damagedHome, { recursive: true });
    copyFileSync(join(v.home, "vault.vlt"), join(damagedHome, "vault.vlt"));
    const bytes = readFileSync(join(damagedHome, "vault.vlt"));
    bytes[bytes.length - 20] = (bytes[bytes.length - 20] ?? 0) ^ 0xff;
    writeFileSync(join(damagedHome, "vault.vlt"), bytes);
    paths = { home: v.home, emptyHome, damagedHome, exportFile, garbageExport };
  });
  afterAll(() => {
    v.cleanup();
    rmSync(`${v.home}-export.json`, { force: true });
    for (const dir of [paths.emptyHome, paths.damagedHome])
      rmSync(dir, { recursive: true, force: true });
  });

  it("has at least 30 cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(cases.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    const file = c.file ? c.file(paths) : join(paths.home, "vault.vlt");
    const before = hashFile(file);
    const args = typeof c.args === "function" ? c.args(paths) : c.args;
    const env = typeof c.env === "function" ? c.env(paths) : (c.env ?? {});
    const r = await v.run(args, { env, ...(c.input !== undefined ? { input: c.input } : {}) });
    expect(r.code, r.stderr).toBe(c.code);
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^error: /);
    expect(lines[0]).toMatch(c.says);
    expect(lines.length, r.stderr).toBeLessThanOrEqual(2);
    if (lines[1] !== undefined) expect(lines[1]).toMatch(/^hint: /);
    expect(r.stderr).not.toMatch(/^\s{4}at /m);
    for (const value of ["s3cret", "existing-value", "value-a", "good-token", EXPORT_PASSWORD])
      expect(r.stderr.includes(value), "a secret value in the error").toBe(false);
    expect(r.stdout).toBe("");
    expect(hashFile(file)).toBe(before);
  });

  it("--debug adds the stack trace to a user error, and still changes nothing", async () => {
    const file = join(paths.home, "vault.vlt");
    const before = hashFile(file);
    const r = await v.run(["secret", "list", "--debug"], {
      env: { VAULTLINK_VAULT_KEY: OTHER_KEY },
    });
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/^error: The vault key does not belong to the vault/);
    expect(r.stderr).toMatch(/^\s{4}at /m);
    expect(hashFile(file)).toBe(before);
  });
});
