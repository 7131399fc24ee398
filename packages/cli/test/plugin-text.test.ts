/**
 * A plugin that throws plain Errors carrying secrets (the token it was given, values the vault
 * holds): the CLI prints the failure, never the secrets. The same redaction step as for the
 * first-party providers (test/providers/provider-faults.e2e.test.ts), here for any plugin.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES, newVault, noStack } from "./helpers.js";

const LOCAL = "plugin-text-local-value-3e9a1c";
const TOKEN = "plugin-text-token-b7d204f1";
const REFUSED = "refused-plugin-text-token-6c1e";

describe("plugin text passes core's redaction", () => {
  it("a fetch that throws an Error holding the token and a local value: read, resolve and doctor print neither", async () => {
    const v = await newVault({ config: { plugins: [join(FIXTURES, "throwing-provider.js")] } });
    try {
      const echo = join(v.home, "echo.txt");
      const added = await v.run(["secret", "add", "local"], { input: LOCAL });
      expect(added.code, added.stderr).toBe(0);
      const c = await v.run(["integration", "connect", "thrower", "--file", echo], {
        env: { THROWER_TOKEN: TOKEN },
      });
      expect(c.code, c.stderr).toBe(0);
      const linked = await v.run(["secret", "link", "remote", "thrower", "thrower://x"]);
      expect(linked.code, linked.stderr).toBe(0);
      expect((await v.run(["cache", "reset"])).code).toBe(0);
      writeFileSync(echo, `{"value":"${LOCAL}"}`);
      const runs = [
        await v.run(["read", "remote"]),
        await v.run(["resolve", "x={{vault:remote}}"]),
        await v.run(["doctor", "--json"]),
      ];
      for (const r of runs) {
        expect(r.code).not.toBe(0);
        const text = `${r.stdout}\n${r.stderr}`;
        expect(text.includes(LOCAL) || text.includes(TOKEN), "a secret was printed").toBe(false);
        expect(noStack(r.stderr)).toBe(true);
      }
      expect(runs[0]?.stderr).toMatch(/upstream failed: .*\[redacted\].*sent token \[redacted\]/);
    } finally {
      v.cleanup();
    }
  });

  it("a sign-in that throws an Error holding the typed token: connect prints the failure, not the token", async () => {
    const v = await newVault({ config: { plugins: [join(FIXTURES, "throwing-provider.js")] } });
    try {
      const before = v.vaultHash();
      const r = await v.run(["integration", "connect", "thrower", "--file", join(v.home, "x")], {
        env: { THROWER_TOKEN: REFUSED },
      });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/^error: .*sign-in refused for token \[redacted\]/m);
      expect(`${r.stdout}${r.stderr}`.includes(REFUSED), "the token was printed").toBe(false);
      expect(v.vaultHash()).toBe(before);
    } finally {
      v.cleanup();
    }
  });
});
