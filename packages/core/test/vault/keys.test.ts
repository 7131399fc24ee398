import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import {
  envKeySource,
  generateVaultKey,
  type KeySource,
  keychainKeySource,
  promptKeySource,
  reportKeySources,
  resolveVaultKey,
} from "../../src/vault/index.js";
import { fixturesDir, rejectsWithCode, repoDir, useVaultModule } from "./helpers.js";

const run = promisify(execFile);

const moduleUrl = useVaultModule();

const fixture = join(fixturesDir, "keychain.mjs");

/** Env for a child: this process's env minus the keyring-session marker and D-Bus address. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  delete env.VAULTLINK_IN_KEYRING_SESSION;
  if (!("DBUS_SESSION_BUS_ADDRESS" in extra)) delete env.DBUS_SESSION_BUS_ADDRESS;
  return env;
}

async function runFixture(args: string[], env: NodeJS.ProcessEnv, withKeyring: boolean) {
  const command = withKeyring ? "bash" : process.execPath;
  const argv = withKeyring
    ? [join(repoDir, "scripts/with-keyring.sh"), process.execPath, fixture, moduleUrl(), ...args]
    : [fixture, moduleUrl(), ...args];
  const { stdout } = await run(command, argv, { env, timeout: 60_000 });
  const line = stdout.trim().split("\n").pop() ?? "";
  return JSON.parse(line) as Record<string, unknown>;
}

describe("keychain key source (real Secret Service via scripts/with-keyring.sh)", () => {
  it("stores, reads and deletes the vault key", { timeout: 90_000 }, async () => {
    const result = await runFixture(
      ["roundtrip", `/tmp/vaultlink-test-${process.pid}`],
      childEnv(),
      true,
    );
    expect(result).toEqual({
      availability: { available: true },
      before: null,
      loadedMatches: true,
      forgot: true,
      after: null,
      forgotAgain: false,
    });
  });

  it("is unavailable with a reason when there is no D-Bus session (child process)", async () => {
    const result = await runFixture(["availability", "acct"], childEnv(), false);
    const availability = result.availability as { available: boolean; reason: string };
    expect(availability.available).toBe(false);
    expect(availability.reason).toContain("no OS keychain (Secret Service) is running");
    expect(availability.reason).toContain("DBUS_SESSION_BUS_ADDRESS");
    expect(result.load).toMatchObject({ code: "KEY_SOURCE_UNAVAILABLE" });
  });

  it("turns the native error into a reason when the D-Bus session is unreachable", async () => {
    const result = await runFixture(
      ["availability", "acct"],
      childEnv({ DBUS_SESSION_BUS_ADDRESS: "unix:path=/nonexistent/vaultlink-bus" }),
      false,
    );
    const availability = result.availability as { available: boolean; reason: string };
    expect(availability.available).toBe(false);
    expect(availability.reason).toContain("no OS keychain (Secret Service) is running");
  });

  it("is unavailable with an injected env that has no D-Bus session (in process)", async () => {
    const source = keychainKeySource({ env: {}, platform: "linux", account: "x" });
    const availability = await source.availability();
    expect(availability).toEqual({ available: false, reason: expect.stringContaining("D-Bus") });
    await rejectsWithCode(source.store(generateVaultKey()), "KEY_SOURCE_UNAVAILABLE");
    await rejectsWithCode(source.store("not a key"), "INVALID_KEY");
  });
});

describe("env and prompt sources", () => {
  it("env reads VAULTLINK_VAULT_KEY", async () => {
    const key = generateVaultKey();
    const env = envKeySource({ VAULTLINK_VAULT_KEY: ` ${key} ` });
    expect(env.id).toBe("env");
    expect(await env.availability()).toEqual({ available: true });
    expect(await env.load()).toBe(key);
    const empty = envKeySource({});
    expect(await empty.availability()).toEqual({
      available: false,
      reason: "VAULTLINK_VAULT_KEY is not set",
    });
  });

  it("prompt asks and treats an empty answer as no key", async () => {
    const key = generateVaultKey();
    expect(await promptKeySource(async () => key).load()).toBe(key);
    expect(await promptKeySource(async () => "  ").load()).toBeUndefined();
    expect(await promptKeySource(async () => undefined).load()).toBeUndefined();
    const noTty = promptKeySource(async () => key, { available: () => false });
    expect(await noTty.availability()).toEqual({
      available: false,
      reason: "no interactive terminal to ask on",
    });
  });
});

describe("resolveVaultKey", () => {
  const fake = (
    id: string,
    key: string | undefined,
    calls: string[],
    reason?: string,
  ): KeySource => ({
    id,
    async availability() {
      calls.push(`${id}:availability`);
      return reason ? { available: false, reason } : { available: true };
    },
    async load() {
      calls.push(`${id}:load`);
      return key;
    },
  });

  it("tries env, then keychain, then prompt; first key wins", async () => {
    const envKey = generateVaultKey();
    const calls: string[] = [];
    let asked = false;
    const found = await resolveVaultKey([
      envKeySource({ VAULTLINK_VAULT_KEY: envKey }),
      fake("keychain", generateVaultKey(), calls),
      promptKeySource(async () => {
        asked = true;
        return generateVaultKey();
      }),
    ]);
    expect(found).toEqual({ vaultKey: envKey, source: "env", skipped: [] });
    expect(calls).toEqual([]);
    expect(asked).toBe(false);

    const kcKey = generateVaultKey();
    const second = await resolveVaultKey([
      envKeySource({}),
      fake("keychain", kcKey, calls),
      promptKeySource(async () => undefined),
    ]);
    expect(second.source).toBe("keychain");
    expect(second.vaultKey).toBe(kcKey);
    expect(second.skipped).toEqual([{ source: "env", reason: "VAULTLINK_VAULT_KEY is not set" }]);
  });

  it("skips an unavailable keychain with its reason and falls to the prompt", async () => {
    const key = generateVaultKey();
    const found = await resolveVaultKey([
      envKeySource({}),
      keychainKeySource({ env: {}, platform: "linux", account: "x" }),
      promptKeySource(async () => key),
    ]);
    expect(found.source).toBe("prompt");
    expect(found.vaultKey).toBe(key);
    expect(found.skipped.map((s) => s.source)).toEqual(["env", "keychain"]);
    expect(found.skipped[1]?.reason).toContain("no OS keychain (Secret Service) is running");
  });

  it("throws VAULT_LOCKED listing every source and why when none has a key", async () => {
    const calls: string[] = [];
    const error = await rejectsWithCode(
      resolveVaultKey([
        envKeySource({}),
        keychainKeySource({ env: {}, platform: "linux", account: "x" }),
        fake("keychain2", undefined, calls),
        promptKeySource(async () => undefined),
      ]),
      "VAULT_LOCKED",
    );
    expect(error.message).toContain("env: VAULTLINK_VAULT_KEY is not set");
    expect(error.message).toContain("keychain: no OS keychain (Secret Service) is running");
    expect(error.message).toContain("keychain2: it holds no vault key");
    expect(error.message).toContain("prompt: it holds no vault key");
    expect(error.hint).toContain("VAULTLINK_VAULT_KEY");
    expect(error.hint).toContain("vaultlink vault key store");
    await rejectsWithCode(resolveVaultKey([]), "VAULT_LOCKED");
  });

  it("a malformed key is INVALID_KEY naming the source, without the key", async () => {
    const error = await rejectsWithCode(
      resolveVaultKey([envKeySource({ VAULTLINK_VAULT_KEY: "vlk_supersecretbutwrong" })]),
      "INVALID_KEY",
    );
    expect(error.message).toContain("env");
    expect(error.message).not.toContain("supersecret");
  });
});

describe("reportKeySources: which source supplies the key, and why the others do not", () => {
  const failing: KeySource = {
    id: "broken",
    async availability() {
      return { available: true };
    },
    async load() {
      throw new Error("the keychain daemon crashed\nstack line");
    },
  };

  it("stops at the first key, reporting each source tried before it", async () => {
    const key = generateVaultKey();
    const report = await reportKeySources([
      envKeySource({}),
      failing,
      promptKeySource(async () => `  ${key} `),
      promptKeySource(async () => generateVaultKey()),
    ]);
    expect(report.found).toEqual({ vaultKey: key, source: "prompt" });
    expect(report.outcomes).toEqual([
      { source: "env", available: false, reason: "VAULTLINK_VAULT_KEY is not set" },
      { source: "broken", available: false, reason: "the keychain daemon crashed" },
      { source: "prompt", available: true, vaultKey: key },
    ]);
  });

  it("with all, asks every source (a diagnosis) and keeps the first key as found", async () => {
    const envKey = generateVaultKey();
    const report = await reportKeySources(
      [
        envKeySource({ VAULTLINK_VAULT_KEY: envKey }),
        promptKeySource(async () => undefined, { available: () => false }),
        promptKeySource(async () => "   "),
      ],
      { all: true },
    );
    expect(report.found).toEqual({ vaultKey: envKey, source: "env" });
    expect(report.outcomes.map((o) => [o.source, o.available, o.reason])).toEqual([
      ["env", true, undefined],
      ["prompt", false, "no interactive terminal to ask on"],
      ["prompt", true, "it holds no vault key"],
    ]);
  });

  it("a cancelled prompt stops the search instead of reading as 'no key'", async () => {
    const cancelled = Object.assign(new Error("Cancelled."), { code: "CANCELLED" });
    await expect(
      reportKeySources([
        promptKeySource(async () => {
          throw cancelled;
        }),
      ]),
    ).rejects.toBe(cancelled);
    await expect(
      resolveVaultKey([promptKeySource(async () => Promise.reject(cancelled))]),
    ).rejects.toBe(cancelled);
  });
});
