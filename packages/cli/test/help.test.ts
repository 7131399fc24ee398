import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli } from "./helpers.js";

describe("help for a provider's options", () => {
  const home = mkdtempSync(join(tmpdir(), "vaultlink-help-"));
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it("works before any vault exists, and creates nothing", async () => {
    const r = await cli(["integration", "connect", "aws", "--method", "access-key", "--help"], {
      env: { VAULTLINK_HOME: home },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("--endpoint");
    expect(r.stdout).toContain("accessKeyId");
    expect(readdirSync(home)).toEqual([]);
  });

  it.each([[["help", "secret"]], [["secret", "--help"]]])(
    "%j lists the group's subcommands (groups are defined when reached)",
    async (args) => {
      const r = await cli(args, { env: { VAULTLINK_HOME: home } });
      expect(r.code, r.stderr).toBe(0);
      for (const sub of ["add", "list", "link", "unlink", "domains", "delete"]) {
        expect(r.stdout).toMatch(new RegExp(`^\\s+${sub}\\b`, "m"));
      }
    },
  );

  it("help of an unknown command is a usage error", async () => {
    const r = await cli(["help", "nope"], { env: { VAULTLINK_HOME: home } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'nope'");
  });
});
