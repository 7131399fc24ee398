import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderCliDocs } from "../src/docs.js";
import { CLI_DIR } from "./helpers.js";

describe("docs/cli.md", () => {
  it("is up to date with the commander definitions (run: pnpm --filter @vaultlink/cli run docs)", () => {
    const committed = readFileSync(join(CLI_DIR, "..", "..", "docs", "cli.md"), "utf8");
    expect(committed).toBe(renderCliDocs());
  });

  it("documents every command and the exit codes", () => {
    const text = renderCliDocs();
    for (const c of [
      "vault create",
      "vault key store",
      "secret add",
      "secret link",
      "read",
      "resolve",
      "run",
      "cache status",
      "settings set",
      "integration connect",
      "export",
      "import",
      "doctor",
      "plugins list",
    ]) {
      expect(text).toContain(`vaultlink ${c}`);
    }
    for (const code of [0, 1, 2, 3, 4, 5, 6]) expect(text).toContain(`| ${code} |`);
  });
});
