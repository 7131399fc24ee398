import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI_DIR, cli, FIXTURES, newVault, tempHome } from "./helpers.js";

const cliVersion = (
  JSON.parse(readFileSync(join(CLI_DIR, "package.json"), "utf8")) as { version: string }
).version;

function firstPartyVersion(dir: string): string {
  const pkg = JSON.parse(readFileSync(join(CLI_DIR, "..", dir, "package.json"), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

describe("on a Node line past its end of life", () => {
  it("every command refuses in one line, naming the Node it needs, and touches nothing", async () => {
    const home = join(tempHome(), "never-created");
    for (const args of [["vault", "create"], ["read", "x"], ["--version"]]) {
      const r = await cli(args, {
        env: { VAULTLINK_HOME: home },
        nodeArgs: ["--require", join(FIXTURES, "node-20.cjs")],
      });
      expect(r.code).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr).toBe(
        "error: vaultlink needs Node 22 or 24 (22.22.2+, 24.15+); this is Node 20.20.2, whose line has reached end of life.\n" +
          "hint: Install Node 24 or 22 (for example with nvm: nvm install 24), then run the command again. Nothing was changed.\n",
      );
    }
    expect(existsSync(home)).toBe(false);
  });
});

describe("vaultlink --version", () => {
  it("prints the CLI's version alone as text", async () => {
    const r = await cli(["--version"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${cliVersion}\n`);
  });

  it("--json adds Node's version and every loaded plugin's package and version", async () => {
    const v = await newVault({
      config: { plugins: [join(FIXTURES, "json-provider.js"), "./broken.js"] },
    });
    try {
      writeFileSync(join(v.home, "broken.js"), readFileSync(join(FIXTURES, "broken-plugin.js")));
      for (const args of [
        ["--version", "--json"],
        ["--json", "-V"],
      ]) {
        const r = await v.run(args);
        expect(r.code, r.stderr).toBe(0);
        const out = JSON.parse(r.stdout) as {
          name: string;
          version: string;
          node: string;
          plugins: Array<{ id: string; name: string; version: string; origin: string }>;
          problems: Array<{ spec: string; kind: string }>;
        };
        expect(out).toMatchObject({
          name: "@vaultlink/cli",
          version: cliVersion,
          node: process.versions.node,
        });
        expect(out.plugins).toEqual(
          expect.arrayContaining([
            {
              id: "aws",
              name: "@vaultlink/provider-aws",
              version: firstPartyVersion("provider-aws"),
              origin: "default",
            },
            {
              id: "azure",
              name: "@vaultlink/provider-azure",
              version: firstPartyVersion("provider-azure"),
              origin: "default",
            },
            {
              id: "hashicorp",
              name: "@vaultlink/provider-hashicorp",
              version: firstPartyVersion("provider-hashicorp"),
              origin: "default",
            },
            {
              id: "1password",
              name: "@vaultlink/provider-1password",
              version: firstPartyVersion("provider-1password"),
              origin: "default",
            },
            {
              id: "jsonfile",
              name: "vaultlink-test-json-provider",
              version: "1.0.0",
              origin: "config",
            },
          ]),
        );
        expect(out.plugins).toHaveLength(5);
        expect(out.problems).toEqual([
          expect.objectContaining({ spec: "./broken.js", kind: "broken" }),
        ]);
      }
    } finally {
      v.cleanup();
    }
  });
});
