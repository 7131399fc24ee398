import { chmod, rename } from "node:fs/promises";
import type { ConformanceFixtures, ConformanceHarness } from "@vaultlink/testkit";
import { createTestContext, systemClock } from "@vaultlink/testkit";
import { vi } from "vitest";
import { createFixtureDir, type FixtureDir, VALUES } from "./fixture-dir.js";

export const PASSPHRASE = "conformance-passphrase-6a1c";
const SESSION_TTL_SECONDS = 600;
const RATE_LIMIT = 50;

export const envFixtures = {
  validReferences: [
    "env://VLX_DB_PASSWORD",
    "ENV://VLX_API_KEY",
    "cmd://deploy-token",
    "Cmd://gh.token_2",
  ],
  invalidReferences: [
    "",
    "VLX_DB_PASSWORD",
    "env://",
    "env://1ABC",
    "env://HAS SPACE",
    "env://A/B",
    "cmd://",
    "cmd://-leading-dash",
    "cmd://a b",
    "https://example.com/secret",
  ],
  // A command first: the fault checks fetch the first secret, and a command's binary is what
  // the faults below can really take away.
  secrets: [
    { reference: "cmd://deploy-token", value: VALUES.deployToken },
    { reference: "env://VLX_DB_PASSWORD", value: VALUES.dbPassword },
    { reference: "env://VLX_API_KEY", value: VALUES.apiKey },
  ],
  missingReference: "env://VLX_NOT_SET",
  json: { reference: "env://VLX_APP_CONFIG", key: "db.password", expected: VALUES.jsonPassword },
} satisfies ConformanceFixtures;

/**
 * Builds a conformance harness for a provider (the source, or the built package installed
 * elsewhere). Every fault goes through the real mechanism:
 * - expireCredentials: the system clock (ctx.clock in the suite) jumps past the session's end;
 * - denyPermission: the command's script loses its execute bits, so execFile gets EACCES;
 * - throttle: another integration spends the command's per-second lookup budget, with the
 *   clock held still until clear() so the suite's fetch falls in that second;
 * - makeUnreachable: the command's script is moved away, so execFile gets ENOENT.
 * The allow-list and env-file faults are pinned in provider.test.ts: settings are fixed for
 * an instance's life (a host makes a new instance when they change), and the suite keeps one.
 */
export async function envHarness(
  provider: ConformanceHarness["provider"],
  hashPassphrase: (passphrase: string) => Promise<string>,
): Promise<ConformanceHarness & { fixture: FixtureDir }> {
  const fixture = await createFixtureDir();
  const tokenHash = await hashPassphrase(PASSPHRASE);
  const settings = {
    envFile: fixture.envFile,
    commands: fixture.commands,
    allow: "VLX_",
    rateLimit: RATE_LIMIT,
    timeoutMs: 5000,
  };
  const authenticate = {
    method: "passphrase",
    settings: { ...settings, tokenHash, sessionTtlSeconds: SESSION_TTL_SECONDS },
    secrets: { token: PASSPHRASE },
  };
  const script = fixture.scripts["deploy-token"];
  let moved = false;
  let throttled = false;

  return {
    fixture,
    provider,
    authenticate,
    settings,
    faults: {
      async expireCredentials() {
        vi.useFakeTimers({ toFake: ["Date"] });
        vi.setSystemTime(Date.now() + (SESSION_TTL_SECONDS + 60) * 1000);
      },
      async denyPermission() {
        await chmod(script, 0o644);
      },
      async throttle() {
        // The budget is per second of the clock: hold the clock still until clear(), so the
        // suite's fetch lands in the spent second however slow the machine is.
        vi.useFakeTimers({ toFake: ["Date"] });
        const ctx = createTestContext({
          integration: { id: "other-integration", authMethod: "passphrase", settings },
          clock: systemClock,
        });
        const other = await provider.create(ctx);
        await ctx.saveSession(await other.authenticate(authenticate));
        const reference = provider.parseReference("cmd://deploy-token");
        await other.fetch(
          Array.from({ length: RATE_LIMIT }, (_, i) => ({ id: `spend-${i}`, reference })),
        );
        await other.dispose();
        throttled = true;
      },
      async makeUnreachable() {
        await rename(script, `${script}.moved`);
        moved = true;
      },
      async clear() {
        vi.useRealTimers();
        await chmod(moved ? `${script}.moved` : script, 0o755);
        if (moved) await rename(`${script}.moved`, script);
        moved = false;
        // The budget is per second: wait until the spent one has passed.
        if (throttled) await new Promise((resolve) => setTimeout(resolve, 1100));
        throttled = false;
      },
    },
    stop: () => fixture.remove(),
  };
}
