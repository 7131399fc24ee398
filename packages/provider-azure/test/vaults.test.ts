import type { FetchResult } from "@vaultlink/core/plugin";
import { type RunningAzureEmulator, startAzureVaults } from "@vaultlink/emulators";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  CLIENT_ID,
  CLIENT_SECRET,
  instanceFor,
  request,
  servicePrincipal,
} from "./support/azure.js";

let a: RunningAzureEmulator;
let b: RunningAzureEmulator;

beforeAll(async () => {
  const vaults = await startAzureVaults(["kv-a", "kv-b"], {
    servicePrincipals: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }],
    secrets: [{ name: "shared", value: "same-name-any-vault" }],
  });
  [a, b] = vaults as [RunningAzureEmulator, RunningAzureEmulator];
  for (let i = 0; i < 6; i++) a.seedSecret(`a-${i}`, `value-a-${i}`);
  for (let i = 0; i < 3; i++) b.seedSecret(`b-${i}`, `value-b-${i}`);
});
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});
afterEach(() => {
  a.clearFaults();
  a.requests.reset();
  b.requests.reset();
});

/** Signed in through vault a's authority; the token is good on both vaults. */
async function signedIn(settings: Record<string, unknown> = {}) {
  // The CA comes as a plugin option here (an embedder's way); the other tests use caFile.
  const { instance, context } = await instanceFor(a, {
    settings: { caFile: undefined, ...settings },
    pluginOptions: { ca: a.caPem },
  });
  await context.saveSession(await instance.authenticate(servicePrincipal(a)));
  return instance;
}

function values(results: FetchResult[]): Record<string, string> {
  return Object.fromEntries(results.map((r) => [r.id, r.ok ? String(r.value) : `!${r.code}`]));
}

describe("several vaults", () => {
  it("reads each vault through its own client, reused across fetches", async () => {
    const instance = await signedIn();
    const requests = [
      request("a0", `${a.vaultUrl}/secrets/a-0`),
      request("b0", `${b.vaultUrl}/secrets/b-0`),
      request("a1", `${a.vaultUrl}/secrets/a-1`),
      request("b-shared", `${b.vaultUrl}/secrets/shared`),
      request("a-shared", `${a.vaultUrl}/secrets/shared`),
    ];
    const expected = {
      a0: "value-a-0",
      b0: "value-b-0",
      a1: "value-a-1",
      "b-shared": "same-name-any-vault",
      "a-shared": "same-name-any-vault",
    };
    expect(values(await instance.fetch(requests))).toEqual(expected);
    // First reads go out without a token and are challenged; after that each client knows
    // its vault's challenge and token, so a second fetch is challenged nowhere.
    const challenges = a.requests.count("challenge") + b.requests.count("challenge");
    expect(a.requests.count("challenge")).toBeGreaterThan(0);
    expect(b.requests.count("challenge")).toBeGreaterThan(0);
    expect(values(await instance.fetch(requests))).toEqual(expected);
    expect(a.requests.count("challenge") + b.requests.count("challenge")).toBe(challenges);
    expect(a.requests.count("secrets.get")).toBe(6);
    expect(b.requests.count("secrets.get")).toBe(4);
    // The sign-in's credential serves both vaults: its one token does every read.
    expect(a.requests.count("token.aad") + b.requests.count("token.aad")).toBe(1);
  });

  it("reads a secret asked for twice in one fetch once", async () => {
    const instance = await signedIn();
    const results = await instance.fetch([
      request("one", `${a.vaultUrl}/secrets/a-2`),
      request("two", `${a.vaultUrl}/secrets/A-2`),
      request("other-version", `${a.vaultUrl}/secrets/a-2`, "f".repeat(32)),
    ]);
    expect(values(results)).toEqual({
      one: "value-a-2",
      two: "value-a-2",
      "other-version": "!NOT_FOUND",
    });
    expect(a.requests.count("secrets.get")).toBe(2);
  });

  it("keeps at most `concurrency` reads in flight", async () => {
    for (const [concurrency, expected] of [
      [2, 2],
      [6, 6],
    ] as const) {
      const instance = await signedIn({ concurrency });
      await instance.fetch([request("warm", `${a.vaultUrl}/secrets/shared`)]);
      a.requests.reset();
      // Each read is held, so reads the cap lets overlap do overlap.
      a.inject({ operation: "secrets.get", latencyMs: 300 });
      const requests = Array.from({ length: 6 }, (_, i) =>
        request(`r${i}`, `${a.vaultUrl}/secrets/a-${i}`),
      );
      const results = await instance.fetch(requests);
      expect(results.every((r) => r.ok)).toBe(true);
      expect(a.requests.count("secrets.get")).toBe(6);
      expect(a.requests.peakConcurrency("secrets.get")).toBe(expected);
      a.clearFaults();
      await instance.dispose();
    }
  });
});
