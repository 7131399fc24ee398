import { createHash } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempHome, vaultWithProvider } from "./helpers.js";

type Env = Record<string, string | undefined>;
interface Paths {
  home: string;
  emptyHome: string;
  damagedHome: string;
  exportFile: string;
  garbageExport: string;
  /** A plain file, to point VAULTLINK_HOME (or -o's directory) at. */
  aFile: string;
  /** A template file holding bytes that are not UTF-8. */
  latin1Template: string;
}
interface Case {
  name: string;
  args: string[] | ((p: Paths) => string[]);
  code: number;
  /** Expected text in the error line. */
  says: RegExp;
  env?: Env | ((p: Paths) => Env);
  input?: string | Buffer;
  /** Which vault directory must stay unchanged, byte for byte (default: the main one). */
  dir?: (p: Paths) => string;
}

/** One row of the table: what is run, the exit code, and what the error line says. */
function row(
  name: string,
  args: Case["args"],
  code: number,
  says: RegExp,
  extra: Pick<Case, "env" | "input" | "dir"> = {},
): Case {
  return { name, args, code, says, ...extra };
}

/** `--json` added to a command line, before any `--`. */
function plusJson(args: Case["args"]): Case["args"] {
  const add = (a: string[]) => {
    const end = a.indexOf("--");
    return end === -1 ? [...a, "--json"] : [...a.slice(0, end), "--json", ...a.slice(end)];
  };
  return typeof args === "function" ? (p: Paths) => add(args(p)) : add(args);
}

/** A row, and the same row with --json (which must also print the JSON error object). */
function both(...r: Parameters<typeof row>): Case[] {
  const plain = row(...r);
  return [plain, { ...plain, name: `${plain.name} (--json)`, args: plusJson(plain.args) }];
}

/** Only the --json twin of a row that is in the table already. */
function withJson(...r: Parameters<typeof row>): Case[] {
  return both(...r).slice(1);
}

/** Bytes that are not UTF-8 (Latin-1 "café" and a stray continuation byte). */
const NOT_UTF8 = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x80, 0x0a]);

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
  row("missing vault", ["secret", "list"], 6, /no vault (exists )?in/i, {
    env: (p) => ({ VAULTLINK_HOME: p.emptyHome }),
    dir: (p) => p.emptyHome,
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
    dir: (p) => p.damagedHome,
  }),
  row(
    "unknown provider option",
    ["integration", "configure", "json", "--nosuch", "x"],
    2,
    /unknown option '--nosuch'/,
  ),
  row("configure without settings", ["integration", "configure", "json"], 2, /No setting given/),

  // Every error also as JSON on stdout when --json was given.
  ...withJson("unknown flag", ["secret", "list", "--bogus"], 2, /unknown option '--bogus'/),
  ...withJson("unknown command", ["bogus"], 2, /unknown command 'bogus'/),
  ...withJson("unknown subcommand", ["cache", "frobnicate"], 2, /unknown command 'frobnicate'/),
  ...withJson("missing argument", ["secret", "get"], 2, /missing required argument 'name'/),
  ...both("excess arguments", ["secret", "get", "a", "b"], 2, /too many arguments/),
  row("option without its value", ["secret", "domains", "exists", "--add"], 2, /argument missing/),
  ...both("bad choice", (p) => ["import", p.exportFile, "--on-conflict", "merge"], 2, /invalid/),
  ...withJson("bad secret name", ["secret", "add", "bad name!"], 2, /not a valid secret name/, {
    input: "v",
  }),
  ...withJson("value as --value", ["secret", "add", "x", "--value", "s3cret"], 2, /shell history/),
  ...withJson("existing name", ["secret", "add", "exists"], 1, /already exists/, { input: "v" }),
  ...both("get a missing secret", ["secret", "get", "nope"], 1, /no secret named "nope"/),
  ...withJson("TTL -1", ["settings", "set", "cache-ttl", "-1"], 2, /negative/),
  ...both("TTL too long", ["settings", "set", "cache-ttl", "10081"], 2, /longer than one week/),
  ...withJson("unknown setting", ["settings", "get", "colour"], 2, /no setting/),
  ...both("unknown integration", ["integration", "status", "nosuch"], 1, /no integration "nosuch"/),
  ...withJson(
    "malformed reference",
    ["secret", "link", "x", "json", "s3://bucket/key"],
    2,
    /not a json:\/\/ reference/,
  ),
  ...withJson("read a missing secret", ["read", "nope"], 3, /unresolved \(missing\)/),
  ...both(
    "an ftp domain",
    ["secret", "domains", "exists", "--add", "ftp://x.example.com"],
    2,
    /uses ftp:\/\/; an allowed domain is for http or https requests/,
  ),
  ...withJson("reset without --yes", ["vault", "reset"], 2, /needs confirmation/),
  ...withJson("missing vault", ["secret", "list"], 6, /no vault (exists )?in/i, {
    env: (p) => ({ VAULTLINK_HOME: p.emptyHome }),
    dir: (p) => p.emptyHome,
  }),
  ...withJson("wrong key", ["secret", "list"], 6, /vault key does not belong to the vault/, {
    env: { VAULTLINK_VAULT_KEY: OTHER_KEY },
  }),
  ...withJson("malformed key", ["secret", "list"], 6, /vlk_/, {
    env: { VAULTLINK_VAULT_KEY: "not-a-key" },
  }),
  ...withJson("damaged vault file", ["secret", "list"], 6, /vault file .* is damaged/, {
    env: (p) => ({ VAULTLINK_HOME: p.damagedHome }),
    dir: (p) => p.damagedHome,
  }),
  ...withJson("wrong export password", (p) => ["import", p.exportFile], 1, /password is wrong/, {
    env: { VAULTLINK_EXPORT_PASSWORD: "not the password!" },
  }),
  ...withJson("wrong provider token", connectJson("three"), 4, /refused/, {
    env: { JSONFILE_TOKEN: "bad" },
  }),
  ...withJson("connect twice", connectJson("json"), 1, /already connected/, {
    env: { JSONFILE_TOKEN: "good-token" },
  }),
  // An unknown command is an error also when --help follows it.
  ...both("unknown command with --help", ["daemon", "--help"], 2, /unknown command 'daemon'/),
  row("unknown command with -h", ["daemon", "-h"], 2, /unknown command 'daemon'/),
  row("--help before an unknown command", ["--help", "daemon"], 2, /unknown command 'daemon'/),
  row("help for an unknown command", ["help", "daemon"], 2, /unknown command 'daemon'/),
  ...both(
    "unknown subcommand with --help",
    ["secret", "frobnicate", "--help"],
    2,
    /unknown command 'frobnicate'/,
  ),
  row(
    "unknown subcommand of settings with --help",
    ["settings", "colour", "--help"],
    2,
    /unknown command 'colour'/,
  ),
  // VAULTLINK_HOME that cannot be a directory says so (not a config-file problem).
  ...both(
    "VAULTLINK_HOME is a file",
    ["secret", "list"],
    2,
    /VAULTLINK_HOME must be a directory, but .* is a file/,
    {
      env: (p) => ({ VAULTLINK_HOME: p.aFile }),
    },
  ),
  ...both(
    "VAULTLINK_HOME below a file",
    ["vault", "create", "--no-keychain"],
    2,
    /VAULTLINK_HOME must be a directory, but .*, above .*, is a file/,
    { env: (p) => ({ VAULTLINK_HOME: join(p.aFile, "vault") }) },
  ),
  row(
    "VAULTLINK_HOME is a file (status)",
    ["vault", "status"],
    2,
    /VAULTLINK_HOME must be a directory/,
    {
      env: (p) => ({ VAULTLINK_HOME: p.aFile }),
    },
  ),
  // Operating-system failures name the path and the fix, never "a bug".
  ...both(
    "resolve -o into a missing directory",
    ["resolve", "plain text", "-o", "/nonexistent-dir/out.txt"],
    1,
    /Cannot write \/nonexistent-dir\/out.txt: the directory \/nonexistent-dir does not exist/,
  ),
  ...both(
    "resolve -o onto a directory",
    (p) => ["resolve", "plain text", "-o", p.emptyHome],
    1,
    /is a directory, not a file/,
  ),
  row(
    "resolve -o below a file",
    (p) => ["resolve", "plain text", "-o", join(p.aFile, "out.txt")],
    1,
    /is a file where a directory is expected/,
  ),
  row(
    "export -o into a missing directory",
    ["export", "-o", "/nonexistent-dir/export.json"],
    1,
    /the directory \/nonexistent-dir does not exist/,
    { env: { VAULTLINK_EXPORT_PASSWORD: EXPORT_PASSWORD } },
  ),
  ...both(
    "resolve -o into a directory where no file can be created (/proc)",
    ["resolve", "plain text", "-o", "/proc/vaultlink-out.txt"],
    1,
    /Cannot write \/proc\/vaultlink-out.txt: no new file can be created in \/proc/,
  ),
  row(
    "run of a directory (not executable)",
    (p) => ["run", "--", join(p.aFile, "..")],
    126,
    /Cannot run .*: it is not an executable file \(EACCES\)/,
    { env: { X: "{{vault:exists}}" } },
  ),
  row(
    "a value too big for the environment (spawn E2BIG)",
    ["run", "--", process.execPath, "-e", "0"],
    1,
    /too big for the operating system \(spawn E2BIG\)/,
    { env: { BIG: "{{vault:big}}" } },
  ),
  // Values that are not UTF-8 are refused, not changed to U+FFFD.
  ...both(
    "a value that is not UTF-8",
    ["secret", "add", "latin1"],
    2,
    /value of latin1 on stdin is not valid UTF-8/,
    {
      input: NOT_UTF8,
    },
  ),
  row("a new value that is not UTF-8", ["secret", "edit", "exists"], 2, /not valid UTF-8/, {
    input: NOT_UTF8,
  }),
  row(
    "a template on stdin that is not UTF-8",
    ["resolve"],
    2,
    /template on stdin is not valid UTF-8/,
    {
      input: NOT_UTF8,
    },
  ),
  row(
    "a template file that is not UTF-8",
    (p) => ["resolve", "--file", p.latin1Template],
    2,
    /template file .* is not valid UTF-8/,
  ),
  ...both(
    "empty stdin names the value",
    ["secret", "add", "new-one"],
    2,
    /^error: stdin was empty, so the value of new-one was not given\.$/,
    { input: "" },
  ),
  row(
    "empty stdin for a new value",
    ["secret", "edit", "exists"],
    2,
    /stdin was empty, so the new value of exists was not given/,
    { input: "" },
  ),
  row("a lone newline is an empty value", ["secret", "add", "new-one"], 2, /stdin was empty/, {
    input: "\n",
  }),
  // More refused usage.
  row("a name and --file", (p) => ["resolve", "t", "--file", p.exportFile], 2, /not both/),
  row("link with an empty reference", ["secret", "link", "x", "json", ""], 2, /json:\/\//),
  row("import with an unknown option", ["import", "x", "--force"], 2, /unknown option '--force'/),
  row("export with a positional", ["export", "extra"], 2, /too many arguments/),
  row(
    "rename a missing secret",
    ["secret", "rename", "nope", "other"],
    1,
    /no secret named "nope"/,
  ),
  row("enable a missing secret", ["secret", "enable", "nope"], 1, /no secret named "nope"/),
  row("disable a missing secret", ["secret", "disable", "nope"], 1, /no secret named "nope"/),
  row("unlink a missing secret", ["secret", "unlink", "nope"], 1, /no secret named "nope"/),
  row(
    "domains of a missing secret",
    ["secret", "domains", "nope", "--clear"],
    1,
    /no secret named "nope"/,
  ),
  row(
    "two domain modes",
    ["secret", "domains", "exists", "--clear", "--add", "a.example.com"],
    2,
    /exactly one of/,
  ),
  row(
    "reauth an unknown integration",
    ["integration", "reauth", "nosuch"],
    1,
    /no integration "nosuch"/,
  ),
  row(
    "configure an unknown integration",
    ["integration", "configure", "nosuch", "--file", "x"],
    1,
    /no integration "nosuch"/,
  ),
  // Allowed domains that would not mean what they say (input-core's rules), refused at input.
  ...both(
    "empty --domains",
    ["secret", "add", "new-one", "--domains", ""],
    2,
    /An allowed domain is empty/,
    { input: "v" },
  ),
  row(
    "--domains ','",
    ["secret", "add", "new-one", "--domains", ","],
    2,
    /An allowed domain is empty/,
    { input: "v" },
  ),
  row(
    "a trailing comma in --domains",
    ["secret", "add", "new-one", "--domains", "a.example.com,"],
    2,
    /An allowed domain is empty/,
    { input: "v" },
  ),
  ...both(
    "a space in a domain",
    ["secret", "add", "new-one", "--domains", "exa mple.com"],
    2,
    /contains a space/,
    { input: "v" },
  ),
  row(
    "a leading dot in a domain",
    ["secret", "add", "new-one", "--domains", ".example.com"],
    2,
    /starts with a dot/,
    { input: "v" },
  ),
  row(
    "an empty label in a domain",
    ["secret", "add", "new-one", "--domains", "example..com"],
    2,
    /empty label/,
    { input: "v" },
  ),
  ...both(
    "a wildcard over com",
    ["secret", "add", "new-one", "--domains", "*.com"],
    2,
    /public suffix com/,
    { input: "v" },
  ),
  row(
    "a wildcard over co.uk",
    ["secret", "domains", "exists", "--add", "*.co.uk"],
    2,
    /public suffix co\.uk/,
  ),
  row(
    "a port in a domain",
    ["secret", "domains", "exists", "--set", "example.com:8443"],
    2,
    /has a port; ports are ignored/,
  ),
  row(
    "a path in a domain",
    ["secret", "domains", "exists", "--add", "https://example.com/v1"],
    2,
    /has a path/,
  ),
  row("--set ''", ["secret", "domains", "exists", "--set", ""], 2, /An allowed domain is empty/),
  row(
    "a link with an empty domain",
    ["secret", "link", "x", "json", "json://a", "--domains", ","],
    2,
    /An allowed domain is empty/,
  ),
  // Names and references that cannot work.
  ...both("a name starting with -", ["secret", "add", "--", "-x"], 2, /starts with '-'/, {
    input: "v",
  }),
  row("the name .", ["secret", "add", "."], 2, /only dots/, { input: "v" }),
  row("the name ..", ["secret", "add", ".."], 2, /only dots/, { input: "v" }),
  row("the name __proto__", ["secret", "add", "__proto__"], 2, /reserved/, { input: "v" }),
  row("linking the name ..", ["secret", "link", "..", "json", "json://a"], 2, /only dots/),
  row("renaming to the name -x", ["secret", "rename", "exists", "--", "-x"], 2, /starts with '-'/),
  row(
    "rename to the same name",
    ["secret", "rename", "exists", "exists"],
    2,
    /"exists" already has that name/,
  ),
  ...both(
    "link to a disconnected integration",
    ["secret", "link", "x", "gone", "json://a"],
    4,
    /Integration "gone" is disconnected/,
  ),
  row(
    "link to a disconnected integration, unchecked",
    ["secret", "link", "x", "gone", "json://a", "--no-check"],
    4,
    /is disconnected/,
  ),
  ...both(
    "link to a value the provider lacks",
    ["secret", "link", "x", "json", "json://nosuch"],
    1,
    /nosuch/,
  ),
  row(
    "link with a JSON key the value lacks",
    ["secret", "link", "x", "json", "json://obj", "--json-key", "nokey"],
    1,
    /nokey/,
  ),
  // Malformed references in templates are errors, each named.
  ...both(
    "an empty reference",
    ["resolve", "x={{vault:}}"],
    3,
    /\{\{vault:\}\} is unresolved \(malformed\)/,
  ),
  row(
    "a reference with a space",
    ["resolve", "{{vault:bad name}}"],
    3,
    /\{\{vault:bad name\}\} is unresolved \(malformed\)/,
  ),
  row(
    "an unterminated reference",
    ["resolve", "a {{vault:tok"],
    3,
    /\{\{vault:tok is unresolved \(malformed\).*no closing \}\}/,
  ),
  row("a malformed reference on stdin", ["resolve"], 3, /is unresolved \(malformed\)/, {
    input: "{{vault:}}",
  }),
  row(
    "version flag on a subcommand",
    ["secret", "list", "--version"],
    2,
    /unknown option '--version'/,
  ),
];

/** Files of the test harness in the vault directory (not vault state). */
const HARNESS = new Set([
  "values.json",
  "values.json.count",
  "export.json",
  "garbage.json",
  "big.txt",
]);

/** Every file in `dir` (recursively) with its bytes' hash: the directory, byte for byte. */
function dirState(dir: string): string {
  if (!existsSync(dir)) return "absent";
  const lines: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const name of readdirSync(d).sort()) {
      if (rel === "" && HARNESS.has(name)) continue;
      const full = join(d, name);
      const st = statSync(full);
      if (st.isDirectory()) {
        lines.push(`${rel}${name}/ ${(st.mode & 0o777).toString(8)}`);
        walk(full, `${rel}${name}/`);
      } else {
        const hash = createHash("sha256").update(readFileSync(full)).digest("hex");
        lines.push(`${rel}${name} ${(st.mode & 0o777).toString(8)} ${hash}`);
      }
    }
  };
  walk(dir, "");
  return lines.join("\n");
}

describe("bad input: one clear line, a non-zero exit, and the vault unchanged", () => {
  let v: Awaited<ReturnType<typeof vaultWithProvider>>;
  let paths: Paths;
  beforeAll(async () => {
    v = await vaultWithProvider({ a: "value-a", obj: JSON.stringify({ user: "u" }) });
    // A second integration, disconnected: links to it cannot work.
    const gone = await v.run(
      ["integration", "connect", "jsonfile", "--id", "gone", "--file", v.valuesFile],
      { env: { JSONFILE_TOKEN: "good-token" } },
    );
    expect(gone.code, gone.stderr).toBe(0);
    expect((await v.run(["integration", "disconnect", "gone"])).code).toBe(0);
    await v.run(["secret", "add", "exists"], { input: "existing-value" });
    await v.run(["secret", "link", "linked", "json", "json://a"]);
    // Bigger than one environment string may be (128 KiB on Linux).
    await v.run(["secret", "add", "big"], { input: "b".repeat(200_000) });
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
    const scratch = tempHome();
    const aFile = join(scratch, "a-file");
    writeFileSync(aFile, "not a directory\n");
    const latin1Template = join(scratch, "template.txt");
    writeFileSync(latin1Template, NOT_UTF8);
    paths = {
      home: v.home,
      emptyHome,
      damagedHome,
      exportFile,
      garbageExport,
      aFile,
      latin1Template,
    };
  });
  afterAll(() => {
    v.cleanup();
    rmSync(`${v.home}-export.json`, { force: true });
    for (const dir of [paths.emptyHome, paths.damagedHome, join(paths.aFile, "..")])
      rmSync(dir, { recursive: true, force: true });
  });

  it("has at least 100 cases, a third of them with --json", () => {
    expect(cases.length).toBeGreaterThanOrEqual(100);
    const names = cases.map((c) => c.name);
    expect(new Set(names).size, "case names are unique").toBe(names.length);
    const withJson = cases.filter((c) => c.name.endsWith("(--json)"));
    expect(withJson.length).toBeGreaterThanOrEqual(30);
  });

  it.each(cases.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    const dir = c.dir ? c.dir(paths) : paths.home;
    const before = dirState(dir);
    const homeBefore = dirState(paths.home);
    const fileBefore = readFileSync(paths.aFile, "utf8");
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
    expect(r.stderr).not.toMatch(/looks like a bug|Warning/);
    for (const value of [
      "s3cret",
      "existing-value",
      "value-a",
      "good-token",
      EXPORT_PASSWORD,
      "bbbbbbbb",
    ]) {
      expect(r.stderr.includes(value), "a secret value in the error").toBe(false);
      expect(r.stdout.includes(value), "a secret value on stdout").toBe(false);
    }
    const jsonGiven = args
      .slice(0, args.includes("--") ? args.indexOf("--") : undefined)
      .includes("--json");
    if (jsonGiven) {
      // Exactly one line of JSON: the error object, saying what stderr says.
      expect(r.stdout.endsWith("\n") && r.stdout.trimEnd().split("\n").length === 1, r.stdout).toBe(
        true,
      );
      const parsed = JSON.parse(r.stdout) as { error: Record<string, unknown> };
      expect(Object.keys(parsed)).toEqual(["error"]);
      const e = parsed.error;
      expect(e.code).toMatch(/^[A-Z][A-Z0-9_]+$/);
      expect(e.message).toBe(lines[0]?.replace(/^error: /, ""));
      expect(e.hint).toBe(lines[1] === undefined ? null : lines[1].replace(/^hint: /, ""));
      expect(e.exitCode).toBe(c.code);
    } else {
      expect(r.stdout).toBe("");
    }
    expect(dirState(dir)).toBe(before);
    expect(dirState(paths.home)).toBe(homeBefore);
    expect(readFileSync(paths.aFile, "utf8")).toBe(fileBefore);
  });

  it("--debug adds the stack trace to a user error, and still changes nothing", async () => {
    const before = dirState(paths.home);
    const r = await v.run(["secret", "list", "--debug"], {
      env: { VAULTLINK_VAULT_KEY: OTHER_KEY },
    });
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/^error: The vault key does not belong to the vault/);
    expect(r.stderr).toMatch(/^\s{4}at /m);
    expect(dirState(paths.home)).toBe(before);
  });
});
