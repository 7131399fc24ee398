import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashFile, tempHome, vaultWithProvider } from "./helpers.js";

type Env = Record<string, string | undefined>;
interface Case {
  name: string;
  args: string[] | ((p: Paths) => string[]);
  env?: Env | ((p: Paths) => Env);
  input?: string;
  code?: number;
  /** Expected text in the error line. */
  says?: RegExp;
  /** Which vault file must stay unchanged (default: the main one). */
  file?: (p: Paths) => string;
}
interface Paths {
  home: string;
  emptyHome: string;
  damagedHome: string;
  exportFile: string;
  garbageExport: string;
}

const OTHER_KEY = "vlk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

const cases: Case[] = [
  { name: "unknown command", args: ["bogus"], code: 2, says: /unknown command 'bogus'/ },
  { name: "unknown subcommand", args: ["secret", "frobnicate"], code: 2, says: /unknown command/ },
  {
    name: "unknown flag",
    args: ["secret", "list", "--bogus"],
    code: 2,
    says: /unknown option '--bogus'/,
  },
  {
    name: "missing argument",
    args: ["secret", "add"],
    code: 2,
    says: /missing required argument 'name'/,
  },
  { name: "read without a name", args: ["read"], code: 2, says: /missing required argument/ },
  {
    name: "bad secret name",
    args: ["secret", "add", "bad name!"],
    input: "v",
    code: 2,
    says: /not a valid secret name/,
  },
  {
    name: "value as --value",
    args: ["secret", "add", "x", "--value", "s3cret"],
    code: 2,
    says: /shell history/,
  },
  {
    name: "value as --value=",
    args: ["secret", "add", "x", "--value=s3cret"],
    code: 2,
    says: /shell history/,
  },
  {
    name: "value as a positional",
    args: ["secret", "add", "x", "s3cret"],
    code: 2,
    says: /shell history/,
  },
  {
    name: "edit with a positional value",
    args: ["secret", "edit", "exists", "s3cret"],
    code: 2,
    says: /shell history/,
  },
  {
    name: "empty value on stdin",
    args: ["secret", "add", "new-one"],
    input: "",
    code: 2,
    says: /stdin was empty/,
  },
  {
    name: "existing name",
    args: ["secret", "add", "exists"],
    input: "v",
    code: 1,
    says: /already exists/,
  },
  { name: "TTL -1", args: ["settings", "set", "cache-ttl", "-1"], code: 2, says: /negative/ },
  { name: "TTL 1.5", args: ["settings", "set", "cache-ttl", "1.5"], code: 2, says: /whole number/ },
  { name: "TTL abc", args: ["settings", "set", "cache-ttl", "abc"], code: 2, says: /not a number/ },
  {
    name: "TTL 99999",
    args: ["settings", "set", "cache-ttl", "99999"],
    code: 2,
    says: /longer than one week/,
  },
  {
    name: "unknown setting",
    args: ["settings", "set", "colour", "5"],
    code: 2,
    says: /no setting named "colour"/,
  },
  { name: "get unknown setting", args: ["settings", "get", "colour"], code: 2, says: /no setting/ },
  {
    name: "unknown integration (link)",
    args: ["secret", "link", "x", "nosuch", "json://a"],
    code: 1,
    says: /no integration "nosuch"/,
  },
  {
    name: "malformed reference",
    args: ["secret", "link", "x", "json", "s3://bucket/key"],
    code: 2,
    says: /not a json:\/\/ reference/,
  },
  {
    name: "bad name in link",
    args: ["secret", "link", "bad name", "json", "json://a"],
    code: 2,
    says: /not a valid secret name/,
  },
  {
    name: "unknown provider",
    args: ["integration", "connect", "nosuch"],
    code: 1,
    says: /No provider plugin with id "nosuch"/,
  },
  {
    name: "secret option on argv",
    args: ["integration", "connect", "jsonfile", "--id", "two", "--token", "good-token"],
    code: 2,
    says: /shell history/,
  },
  {
    name: "missing required option without a terminal",
    args: ["integration", "connect", "jsonfile", "--id", "two"],
    env: { JSONFILE_TOKEN: "good-token" },
    code: 2,
    says: /needs --file "file"/,
  },
  {
    name: "connect twice",
    args: (p) => [
      "integration",
      "connect",
      "jsonfile",
      "--id",
      "json",
      "--file",
      join(p.home, "values.json"),
    ],
    env: { JSONFILE_TOKEN: "good-token" },
    code: 1,
    says: /already connected/,
  },
  {
    name: "wrong provider token",
    args: (p) => [
      "integration",
      "connect",
      "jsonfile",
      "--id",
      "three",
      "--file",
      join(p.home, "values.json"),
    ],
    env: { JSONFILE_TOKEN: "bad" },
    code: 4,
    says: /refused/,
  },
  {
    name: "unknown integration (status)",
    args: ["integration", "status", "nosuch"],
    code: 1,
    says: /no integration "nosuch"/,
  },
  {
    name: "unknown integration (disconnect)",
    args: ["integration", "disconnect", "nosuch"],
    code: 1,
    says: /no integration/,
  },
  {
    name: "read a missing secret",
    args: ["read", "nope"],
    code: 3,
    says: /unresolved \(missing\)/,
  },
  {
    name: "edit a linked secret",
    args: ["secret", "edit", "linked"],
    input: "v",
    code: 2,
    says: /linked to json/,
  },
  {
    name: "domains without a mode",
    args: ["secret", "domains", "exists"],
    code: 2,
    says: /exactly one of/,
  },
  {
    name: "invalid domain",
    args: ["secret", "domains", "exists", "--add", "ftp://files.example.com"],
    code: 2,
    says: /Not a valid allowed domain/,
  },
  {
    name: "rename to a bad name",
    args: ["secret", "rename", "exists", "bad name"],
    code: 2,
    says: /not a valid secret name/,
  },
  {
    name: "delete a missing secret",
    args: ["secret", "delete", "nope", "--yes"],
    code: 1,
    says: /no secret named "nope"/,
  },
  {
    name: "delete without confirmation",
    args: ["secret", "delete", "exists"],
    code: 2,
    says: /needs confirmation/,
  },
  { name: "reset without --yes", args: ["vault", "reset"], code: 2, says: /needs confirmation/ },
  {
    name: "resolve a missing file",
    args: ["resolve", "--file", "/nonexistent/t.txt"],
    code: 2,
    says: /Cannot read/,
  },
  { name: "run without a command", args: ["run"], code: 2, says: /missing required argument/ },
  {
    name: "import a missing file",
    args: ["import", "/nonexistent/x.json"],
    code: 2,
    says: /Cannot read/,
  },
  {
    name: "import with a bad policy",
    args: (p) => ["import", p.exportFile, "--on-conflict", "merge"],
    code: 2,
    says: /invalid/,
  },
  {
    name: "damaged export",
    args: (p) => ["import", p.garbageExport],
    env: { VAULTLINK_EXPORT_PASSWORD: "a long enough password" },
    code: 1,
    says: /not a readable vaultlink export/,
  },
  {
    name: "wrong export password",
    args: (p) => ["import", p.exportFile],
    env: { VAULTLINK_EXPORT_PASSWORD: "not the password!" },
    code: 1,
    says: /password is wrong/,
  },
  {
    name: "export password too short",
    args: ["export"],
    env: { VAULTLINK_EXPORT_PASSWORD: "short" },
    code: 1,
    says: /at least 12 characters/,
  },
  {
    name: "missing vault",
    args: ["secret", "list"],
    env: (p) => ({ VAULTLINK_HOME: p.emptyHome }),
    code: 6,
    says: /no vault in/,
    file: (p) => join(p.emptyHome, "vault.vlt"),
  },
  {
    name: "wrong key",
    args: ["secret", "list"],
    env: { VAULTLINK_VAULT_KEY: OTHER_KEY },
    code: 6,
    says: /./,
  },
  {
    name: "malformed key",
    args: ["read", "exists"],
    env: { VAULTLINK_VAULT_KEY: "not-a-key" },
    code: 6,
    says: /vlk_/,
  },
  {
    name: "no key anywhere",
    args: ["secret", "list"],
    env: { VAULTLINK_VAULT_KEY: undefined },
    code: 6,
    says: /locked/,
  },
  {
    name: "damaged vault file",
    args: ["secret", "list"],
    env: (p) => ({ VAULTLINK_HOME: p.damagedHome }),
    code: 6,
    says: /./,
    file: (p) => join(p.damagedHome, "vault.vlt"),
  },
  {
    name: "unknown provider option",
    args: ["integration", "configure", "json", "--nosuch", "x"],
    code: 2,
    says: /unknown option '--nosuch'/,
  },
  {
    name: "configure without settings",
    args: ["integration", "configure", "json"],
    code: 2,
    says: /No setting given/,
  },
];

describe("bad input: one clear line, a non-zero exit, and the vault unchanged", () => {
  let v: Awaited<ReturnType<typeof vaultWithProvider>>;
  let paths: Paths;
  beforeAll(async () => {
    v = await vaultWithProvider({ a: "value-a" });
    await v.run(["secret", "add", "exists"], { input: "existing-value" });
    await v.run(["secret", "link", "linked", "json", "json://a"]);
    const exportFile = join(v.home, "export.json");
    await v.run(["export", "--out", exportFile], {
      env: { VAULTLINK_EXPORT_PASSWORD: "a long enough password" },
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
  afterAll(() => v.cleanup());

  it("has at least 30 cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(cases.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    const file = c.file ? c.file(paths) : join(paths.home, "vault.vlt");
    const before = hashFile(file);
    const args = typeof c.args === "function" ? c.args(paths) : c.args;
    const env = typeof c.env === "function" ? c.env(paths) : (c.env ?? {});
    const r = await v.run(args, { env, ...(c.input !== undefined ? { input: c.input } : {}) });
    expect(r.code).not.toBe(0);
    if (c.code !== undefined) expect(r.code, r.stderr).toBe(c.code);
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^error: /);
    if (c.says) expect(lines[0]).toMatch(c.says);
    expect(lines.length, r.stderr).toBeLessThanOrEqual(2);
    if (lines[1] !== undefined) expect(lines[1]).toMatch(/^hint: /);
    expect(r.stderr).not.toMatch(/^\s{4}at /m);
    expect(r.stderr).not.toContain("s3cret");
    expect(r.stdout).toBe("");
    expect(hashFile(file)).toBe(before);
  });
});
