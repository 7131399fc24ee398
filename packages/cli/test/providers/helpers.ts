/**
 * Shared helpers for the provider end-to-end tests: each test drives the BUILT CLI
 * (packages/cli/dist/bin.cjs) as a subprocess, in a temporary VAULTLINK_HOME, against a real
 * emulator from apps/emulators. Nothing here prints a secret value.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  decodeVaultFile,
  encodeVaultFile,
  parseVaultKey,
  type VaultDocument,
} from "@vaultlink/core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type RunResult as BaseRunResult, baseEnv, hashFile, spawnCli } from "../helpers.js";

/** The CLI's exit codes (packages/cli/src/errors.ts). */
export const EXIT = { ok: 0, other: 1, usage: 2, unresolved: 3, auth: 4, unreachable: 5, vault: 6 };

export interface RunResult extends BaseRunResult {
  args: readonly string[];
}

/** Variables of the developer's shell that could change what the CLI or an SDK does. */
const DROPPED =
  /^(AWS_|AZURE_|IDENTITY_|MSI_|VAULT_|OP_|DBUS_SESSION_BUS_ADDRESS$|NODE_OPTIONS$|NODE_EXTRA_CA_CERTS$)/;

/** A clean environment for the child: nothing of the developer's vault, cloud or keychain. */
export function childEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  return baseEnv(
    {
      AWS_EC2_METADATA_DISABLED: "true",
      // No shared AWS config or credentials files of the developer.
      AWS_CONFIG_FILE: join(tmpdir(), "vaultlink-e2e-no-aws-config"),
      AWS_SHARED_CREDENTIALS_FILE: join(tmpdir(), "vaultlink-e2e-no-aws-credentials"),
      NO_COLOR: "1",
      ...extra,
    },
    DROPPED,
  );
}

/** Run `node dist/bin.cjs <args>` with stdin `input` (no terminal). */
export async function runCli(
  args: readonly string[],
  options: { env?: Record<string, string | undefined>; input?: string; timeoutMs?: number } = {},
): Promise<RunResult> {
  const r = await spawnCli(args, childEnv(options.env), {
    timeoutMs: options.timeoutMs ?? 25_000,
    ...(options.input !== undefined ? { input: options.input } : {}),
  });
  return { ...r, args };
}

export interface E2eVault {
  home: string;
  key: string;
  /** Every run so far, for the no-secret / no-stack-trace checks. */
  runs: RunResult[];
  run(
    args: readonly string[],
    options?: { env?: Record<string, string | undefined>; input?: string },
  ): Promise<RunResult>;
  /** sha256 of every file in VAULTLINK_HOME that holds vault state. */
  vaultHash(): string;
  writeTeam(members: Record<string, string>): void;
  cleanup(): void;
}

/**
 * `vault create --json --no-keychain` in a new temporary VAULTLINK_HOME; later runs get
 * VAULTLINK_HOME, VAULTLINK_VAULT_KEY and `env` (e.g. NODE_EXTRA_CA_CERTS).
 */
export async function createVault(env: Record<string, string | undefined> = {}): Promise<E2eVault> {
  const home = mkdtempSync(join(tmpdir(), "vaultlink-e2e-"));
  const runs: RunResult[] = [];
  const created = await runCli(["vault", "create", "--json", "--no-keychain"], {
    env: { ...env, VAULTLINK_HOME: home },
  });
  runs.push(created);
  if (created.code !== 0) {
    throw new Error(`vault create exited ${created.code}: ${created.stderr.split("\n")[0]}`);
  }
  const key = (JSON.parse(created.stdout) as { vaultKey: string }).vaultKey;
  const base = { ...env, VAULTLINK_HOME: home, VAULTLINK_VAULT_KEY: key };
  return {
    home,
    key,
    runs,
    run: async (args, o = {}) => {
      const r = await runCli(args, {
        env: { ...base, ...o.env },
        ...(o.input !== undefined ? { input: o.input } : {}),
      });
      runs.push(r);
      return r;
    },
    vaultHash: () => hashFile(join(home, "vault.vlt")),
    writeTeam: (members) => writeFileSync(join(home, "team.json"), JSON.stringify({ members })),
    cleanup: () => rmSync(home, { recursive: true, force: true }),
  };
}

/**
 * Play a person who edits their own vault file with their own key (they hold both): decrypt,
 * change the document, write it back. What such an edit may never do is gain a team role.
 */
export function editVaultDocument(v: E2eVault, edit: (doc: VaultDocument) => void): void {
  const file = join(v.home, "vault.vlt");
  const opened = decodeVaultFile(readFileSync(file), parseVaultKey(v.key));
  edit(opened.document);
  writeFileSync(file, encodeVaultFile(opened.header, opened.dataKey, opened.document), {
    mode: 0o600,
  });
}

/** A Node stack frame line ("    at fn (file:1:2)"). */
export function hasStackTrace(text: string): boolean {
  return /^\s{4}at /m.test(text);
}

/** Does any of these texts contain any of the secrets? (A boolean: never print the values.) */
export function leaksAny(texts: readonly string[], secrets: readonly string[]): boolean {
  return texts.some((t) => secrets.some((s) => s.length > 0 && t.includes(s)));
}

/**
 * A short, value-free description of a run for assertion messages: the arguments, the exit code
 * and the first stderr line with every known secret masked.
 */
export function describeRun(r: RunResult, secrets: readonly string[] = []): string {
  let first = r.stderr.split("\n").find((l) => l.trim() !== "") ?? "";
  for (const s of secrets) if (s.length > 0) first = first.split(s).join("***");
  return `vaultlink ${r.args.join(" ")} -> exit ${r.code}; stderr: ${first.slice(0, 300)}`;
}

/** `integration status <id> --json`, parsed. */
export async function integrationStatus(
  v: E2eVault,
  id: string,
): Promise<{ result: RunResult; info: Record<string, unknown> | undefined }> {
  const result = await v.run(["integration", "status", id, "--json"]);
  let info: Record<string, unknown> | undefined;
  try {
    info = JSON.parse(result.stdout) as Record<string, unknown>;
  } catch {
    info = undefined;
  }
  return { result, info };
}

/**
 * The checks every provider's end-to-end test makes, so each file reads as its provider's story.
 * `secrets` lists every value and credential that must never be printed; `env` is added to
 * every run (a team user, say).
 */
export function e2eChecks(
  v: E2eVault,
  secrets: () => readonly string[],
  env: { env?: Record<string, string | undefined> } = {},
) {
  const d = (r: RunResult) => describeRun(r, secrets());
  const run = (args: readonly string[]) => v.run(args, env);
  return {
    d,
    /** `secret link` for each [name, reference, JSON key?]; every link must succeed. */
    async links(
      integration: string,
      links: ReadonlyArray<readonly [name: string, reference: string, jsonKey?: string]>,
    ): Promise<void> {
      for (const [name, reference, jsonKey] of links) {
        const args = ["secret", "link", name, integration, reference];
        if (jsonKey !== undefined) args.push("--json-key", jsonKey);
        const r = await run(args);
        expect(r.code, d(r)).toBe(EXIT.ok);
      }
    },
    /** Each `read <name>` succeeds and prints exactly the expected value (plus a newline). */
    async reads(expected: ReadonlyArray<readonly [name: string, value: string]>): Promise<void> {
      for (const [name, value] of expected) {
        const r = await run(["read", name]);
        expect(r.code, d(r)).toBe(EXIT.ok);
        expect(r.stdout === `${value}\n`, `read ${name} printed the expected value`).toBe(true);
      }
    },
    /** Reading again sends no request to the provider: the count stays where it was. */
    async cacheHit(names: readonly string[], requests: () => number): Promise<void> {
      const before = requests();
      for (const name of names) {
        const r = await run(["read", name]);
        expect(r.code, d(r)).toBe(EXIT.ok);
      }
      expect(requests()).toBe(before);
    },
    /**
     * After the provider stopped accepting the credentials (and the cache was reset), `read`
     * reaches the provider, fails with the authentication exit code, names the reauth command,
     * and the integration shows auth-expired.
     */
    async expiredRead(name: string, integration: string, requests: () => number): Promise<void> {
      const reset = await run(["cache", "reset"]);
      expect(reset.code, d(reset)).toBe(EXIT.ok);
      const before = requests();
      const r = await run(["read", name]);
      expect(requests()).toBeGreaterThan(before);
      expect(r.code, d(r)).toBe(EXIT.auth);
      expect(r.stdout === "", "nothing on stdout").toBe(true);
      expect(r.stderr, d(r)).toMatch(/^error: .*auth-expired/);
      expect(r.stderr, d(r)).toMatch(
        new RegExp(`^hint: .*vaultlink integration reauth ${integration}\\b`, "m"),
      );
      const s = await integrationStatus(v, integration);
      expect(s.info?.status, d(s.result)).toBe("auth-expired");
    },
    /** No value or credential on any stderr or on the stdout of anything but `read`; no stack trace. */
    noLeaks(): void {
      expect(v.runs.length).toBeGreaterThan(10);
      expect(
        leaksAny(
          v.runs.map((r) => r.stderr),
          secrets(),
        ),
        "a secret appeared on stderr",
      ).toBe(false);
      const nonRead = v.runs.filter((r) => r.args[0] !== "read").map((r) => r.stdout);
      expect(
        leaksAny(nonRead, secrets()),
        "a secret appeared on stdout of a non-read command",
      ).toBe(false);
      const traced = v.runs.filter((r) => hasStackTrace(r.stderr) || hasStackTrace(r.stdout));
      expect(traced.map((r) => r.args.join(" "))).toEqual([]);
    },
  };
}

/** What the shared steps need of an emulator from apps/emulators. */
export interface Emulator {
  stop(): Promise<void>;
  requests: { count(): number };
}

/** A linked secret of the story: [name, provider reference, expected value, JSON key?]. */
export type StoryLink = readonly [name: string, reference: string, value: string, jsonKey?: string];

/**
 * One provider's end-to-end story through the built CLI. Creates the emulator (`start`) and a
 * vault in beforeAll, removes both in afterAll, and offers the steps every provider goes
 * through, each registered as its own test in the order called. `secrets` lists every value
 * and credential that must never be printed; `env` is added to every run (a team user, say).
 */
export function providerE2e<E extends Emulator>(options: {
  provider: string;
  start: () => Promise<E>;
  secrets: () => readonly string[];
  env?: Record<string, string | undefined>;
}) {
  const { provider } = options;
  let emu: E | undefined;
  let vault: E2eVault | undefined;
  let checks: ReturnType<typeof e2eChecks> | undefined;
  let links: readonly StoryLink[] = [];
  const ready = <T>(x: T | undefined): T => {
    if (x === undefined) throw new Error("the provider story's beforeAll did not finish");
    return x;
  };
  const values = () => links.map(([name, , value]) => [name, value] as const);

  beforeAll(async () => {
    emu = await options.start();
    vault = await createVault();
    checks = e2eChecks(vault, options.secrets, options.env ? { env: options.env } : {});
  }, 120_000);
  afterAll(async () => {
    vault?.cleanup();
    await emu?.stop();
  });

  const story = {
    get emu(): E {
      return ready(emu);
    },
    get v(): E2eVault {
      return ready(vault);
    },
    get check(): ReturnType<typeof e2eChecks> {
      return ready(checks);
    },
    d: (r: RunResult) => story.check.d(r),
    /** A run with the story's `env` (plus `o.env`). */
    run: (
      args: readonly string[],
      o: { env?: Record<string, string | undefined>; input?: string } = {},
    ) => story.v.run(args, { ...o, env: { ...options.env, ...o.env } }),

    /**
     * `integration connect <provider> <args> --secrets-stdin --json` with the secret options as
     * JSON on stdin (never argv); the integration must come out connected.
     */
    connects(
      title: string,
      args: () => readonly string[],
      secretInput: () => Record<string, unknown>,
      expected: Record<string, unknown> = {},
    ): void {
      it(title, async () => {
        const r = await story.run(
          ["integration", "connect", provider, ...args(), "--secrets-stdin", "--json"],
          { input: JSON.stringify(secretInput()) },
        );
        expect(r.code, story.d(r)).toBe(EXIT.ok);
        expect(JSON.parse(r.stdout)).toMatchObject({
          id: provider,
          status: "connected",
          ...expected,
        });
      });
    },

    /** Link the secrets, read them from the provider, then read again from the cache. */
    linksAndReads(title: string, make: () => readonly StoryLink[]): void {
      it(title, async () => {
        links = make();
        await story.check.links(
          provider,
          links.map(([name, reference, , jsonKey]) => [name, reference, jsonKey] as const),
        );
      });
      it("read prints the values from the provider", async () => {
        await story.check.reads(values());
      });
      it("a second read is a cache hit: no request reaches the emulator", async () => {
        await story.check.cacheHit(
          links.map(([name]) => name),
          () => story.emu.requests.count(),
        );
      });
    },

    /** After `expire()`, reading the first linked secret needs a new sign-in (exit 4). */
    expiredRead(title: string, expire: () => void): void {
      it(title, async () => {
        expire();
        await story.check.expiredRead(ready(links[0])[0], provider, () =>
          story.emu.requests.count(),
        );
      });
    },

    /** `integration reauth <provider> <args> --secrets-stdin` succeeds; every value reads again. */
    reauthReads(
      title: string,
      secretInput: () => Record<string, unknown>,
      args: readonly string[] = [],
    ): void {
      it(title, async () => {
        const r = await story.run(["integration", "reauth", provider, ...args, "--secrets-stdin"], {
          input: JSON.stringify(secretInput()),
        });
        expect(r.code, story.d(r)).toBe(EXIT.ok);
        await story.check.reads(values());
      });
    },

    /**
     * `secret link` checks the reference against the provider before saving: a reference that
     * does not exist, a JSON key that is not there and a version the provider cannot have are
     * each refused with one error line and the vault unchanged; `--no-check` links offline.
     */
    linkChecks(
      title: string,
      make: () => {
        missing: string;
        /** A reference that exists, whose value has no key "no-such-key". */
        existing: string;
        badVersions: readonly string[];
        /** A version of `existing` that exists, when the provider has versions. */
        goodVersion?: string;
        /** A well-formed version of `existing` that does not exist. */
        missingVersion?: string;
      },
    ): void {
      it(title, async () => {
        const c = make();
        const refused = async (args: readonly string[], code: number, says: RegExp) => {
          const before = story.v.vaultHash();
          const r = await story.run(["secret", "link", "chk", provider, ...args]);
          expect(r.code, story.d(r)).toBe(code);
          const lines = r.stderr.trimEnd().split("\n");
          expect(lines[0], story.d(r)).toMatch(says);
          expect(lines.length, story.d(r)).toBeLessThanOrEqual(2);
          expect(r.stdout).toBe("");
          expect(story.v.vaultHash()).toBe(before);
        };
        await refused(
          [c.missing],
          EXIT.other,
          /^error: Checking .* failed, so chk was not linked: /,
        );
        await refused(
          [c.existing, "--json-key", "no-such-key"],
          EXIT.other,
          /^error: Checking .* failed, so chk was not linked: .*no-such-key/,
        );
        for (const version of c.badVersions) {
          await refused([c.existing, "--version", version], EXIT.usage, /^error: .*version/i);
        }
        if (c.missingVersion !== undefined) {
          await refused(
            [c.existing, "--version", c.missingVersion],
            EXIT.other,
            /^error: Checking .* failed, so chk was not linked: /,
          );
        }
        if (c.goodVersion !== undefined) {
          const ok = await story.run([
            "secret",
            "link",
            "chk",
            provider,
            c.existing,
            "--version",
            c.goodVersion,
          ]);
          expect(ok.code, story.d(ok)).toBe(EXIT.ok);
          expect(ok.stderr).toContain("(checked: the provider returned a value)");
        }
        const offline = await story.run([
          "secret",
          "link",
          "chk",
          provider,
          c.missing,
          "--no-check",
        ]);
        expect(offline.code, story.d(offline)).toBe(EXIT.ok);
        expect(offline.stderr).toContain("(not checked)");
        const removed = await story.run(["secret", "delete", "chk", "--yes"]);
        expect(removed.code, story.d(removed)).toBe(EXIT.ok);
      });
    },

    /** `integration status --json` shows the integration connected, with `expected` fields. */
    connectedStatus(expected: Record<string, unknown>): void {
      it("integration status --json shows connected", async () => {
        const { result, info } = await integrationStatus(story.v, provider);
        expect(result.code, story.d(result)).toBe(EXIT.ok);
        expect(info).toMatchObject({ id: provider, provider, status: "connected", ...expected });
      });
    },

    /** The last step: nothing secret was printed by any run, and no stack trace. */
    noLeaks(title: string): void {
      it(title, () => {
        story.check.noLeaks();
      });
    },
  };

  it("vault create gave a vault key", () => {
    expect(story.v.key).toMatch(/^vlk_/);
  });
  return story;
}
