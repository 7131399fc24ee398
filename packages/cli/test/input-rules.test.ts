import { describe, expect, it } from "vitest";
import { vaultPerSuite, vaultWithProvider } from "./helpers.js";

/**
 * Input rules of issue 17 through the built CLI: allowed domains that mean what they say,
 * names that can work, rename to the same name, links to disconnected integrations, malformed
 * references in templates, and a lower cache time applying at once. Each refusal: a non-zero
 * exit, one error line (plus a hint), nothing on stdout, and the vault file unchanged.
 */
describe("input rules through the built CLI", () => {
  const v = vaultPerSuite(async () => {
    const made = await vaultWithProvider({ a: "value-a", b: "value-b" });
    await made.run(["secret", "add", "api", "--domains", "api.example.com"], { input: "api-v" });
    return made;
  });

  async function refused(args: string[], code: number, says: RegExp, hint?: RegExp) {
    const before = v.vaultHash();
    const r = await v.run(args, { input: "some-value" });
    expect(r.code, r.stderr).toBe(code);
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^error: /);
    expect(lines[0]).toMatch(says);
    expect(lines.length, r.stderr).toBeLessThanOrEqual(2);
    if (hint) expect(lines[1]).toMatch(hint);
    expect(r.stdout).toBe("");
    expect(v.vaultHash()).toBe(before);
  }

  it.each([
    ["''", "", /An allowed domain is empty/, /--clear/],
    ["','", ",", /An allowed domain is empty/, /--clear/],
    ["a trailing comma", "a.example.com,", /An allowed domain is empty/, /--clear/],
    ["a space", "exa mple.com", /contains a space/, /separated by commas/],
    ["a leading dot", ".example.com", /starts with a dot/, /\*\.example\.com/],
    ["an empty label", "example..com", /empty label/, /Type example\.com\./],
    ["*.com", "*.com", /public suffix com/, /\*\.example\.com/],
    ["*.co.uk", "*.co.uk", /public suffix co\.uk/, /\*\.example\.co\.uk/],
    ["a port", "example.com:8443", /has a port; ports are ignored/, /Type example\.com /],
    ["a path", "https://example.com/v1", /has a path/, /Type https:\/\/example\.com\./],
  ])("secret add --domains with %s is refused", async (_what, domains, says, hint) => {
    await refused(["secret", "add", "new-one", "--domains", domains], 2, says, hint);
  });

  it("secret domains --add and --set refuse the same entries; --set '' too", async () => {
    await refused(["secret", "domains", "api", "--add", "*.co.uk"], 2, /public suffix co\.uk/);
    await refused(["secret", "domains", "api", "--set", ""], 2, /An allowed domain is empty/);
    await refused(["secret", "domains", "api", "--add", ","], 2, /An allowed domain is empty/);
  });

  it("an http URL refused by a plain host gets the fix that works, and following it works", async () => {
    const r = await v.run(["read", "api", "--url", "http://api.example.com/x"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("(a domain written without http:// allows https only)");
    expect(r.stderr).toContain("vaultlink secret domains api --add http://api.example.com");
    const fixed = await v.run(["secret", "domains", "api", "--add", "http://api.example.com"]);
    expect(fixed.code, fixed.stderr).toBe(0);
    const again = await v.run(["read", "api", "--url", "http://api.example.com/x"]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe("api-v\n");
    const removed = await v.run([
      "secret",
      "domains",
      "api",
      "--remove",
      "HTTP://API.Example.com.",
    ]);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stderr).toBe("api is allowed for: api.example.com.\n");
  });

  it.each([
    ["-x", /starts with '-'/],
    [".", /only dots/],
    ["..", /only dots/],
    ["__proto__", /reserved/],
    ["constructor", /reserved/],
  ])("the name %j is refused", async (name, says) => {
    await refused(["secret", "add", "--", name], 2, says);
    await refused(["secret", "link", "--", name, "json", "json://a"], 2, says);
  });

  it("rename to the same name is refused without touching the vault", async () => {
    await refused(
      ["secret", "rename", "api", "api"],
      2,
      /"api" already has that name/,
      /^hint: Give a different new name: vaultlink secret rename api <new-name>/,
    );
  });

  it("malformed references make resolve fail, each named", async () => {
    const r = await v.run(
      [
        "resolve",
        "x={{vault:api}} {{vault:}} {{vault:bad name}} {{vault:tok",
        "--url",
        "https://api.example.com",
      ],
      {
        input: "",
      },
    );
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("3 references are unresolved");
    expect(r.stderr).toContain("{{vault:}} malformed: {{vault:}} is not a valid reference");
    expect(r.stderr).toContain("{{vault:bad name}} malformed:");
    expect(r.stderr).toContain(
      "{{vault:tok malformed: {{vault:tok is not a valid reference: it has no closing }}.",
    );
    const allowed = await v.run(["resolve", "{{vault:}} and {{vault:a-b", "--allow-unresolved"], {
      input: "",
    });
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toBe("{{vault:}} and {{vault:a-b");
  });

  it("a lower cache time applies at once to what is cached", async () => {
    expect((await v.run(["secret", "link", "la", "json", "json://a"])).code).toBe(0);
    expect((await v.run(["read", "la"])).stdout).toBe("value-a\n");
    const set = await v.run(["settings", "set", "cache-ttl", "15"]);
    expect(set.code, set.stderr).toBe(0);
    const status = JSON.parse((await v.run(["cache", "status", "--json"])).stdout) as {
      ttlMinutes: number;
      entries: Array<{ names: string[]; expiresInMs: number }>;
    };
    expect(status.ttlMinutes).toBe(15);
    const entry = status.entries.find((e) => e.names.includes("la"));
    expect(entry?.expiresInMs).toBeLessThanOrEqual(15 * 60_000);
    expect(entry?.expiresInMs).toBeGreaterThan(0);
    const zero = await v.run(["settings", "set", "cache-ttl", "0"]);
    expect(zero.code).toBe(0);
    expect((await v.run(["cache", "status"])).stdout).toContain("no cached values");
  });

  it("linking to a disconnected integration is refused with the command that connects it", async () => {
    const d = await v.run(["integration", "disconnect", "json"]);
    expect(d.code, d.stderr).toBe(0);
    await refused(
      ["secret", "link", "x", "json", "json://a"],
      4,
      /Integration "json" is disconnected; a link to it would not resolve/,
      /^hint: Connect it again first: vaultlink integration connect jsonfile --id json\./,
    );
    await refused(["secret", "link", "x", "json", "json://a", "--no-check"], 4, /is disconnected/);
  });
});
