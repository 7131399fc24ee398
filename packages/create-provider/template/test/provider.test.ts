import { createTestContext, vaultlinkRejection } from "@vaultlink/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import provider, { parseServiceReference } from "../src/index.js";
import { type StandIn, startStandIn } from "./support/service.js";

const API_KEY = "unit-api-key-3e9b51";
let service: StandIn;

beforeAll(async () => {
  service = await startStandIn({
    secrets: { "db/password": "unit-value-7a20" },
    apiKeys: [API_KEY],
  });
});
afterAll(async () => {
  await service.close();
});

async function instance(
  settings: Record<string, unknown>,
  tuning: { concurrency?: number; requestTimeoutMs?: number } = {},
) {
  const ctx = createTestContext({
    integration: { id: "__PROVIDER_ID__", authMethod: "api-key", settings },
    ...tuning,
  });
  return await provider.create(ctx);
}

/** A signed-in instance for `target`, with core's tuning as given. */
async function signedIn(
  target: StandIn,
  tuning: { concurrency?: number; requestTimeoutMs?: number } = {},
) {
  const settings = { url: target.url };
  const created = await instance(settings, tuning);
  await created.authenticate({ method: "api-key", settings, secrets: { apiKey: API_KEY } });
  return created;
}

function requests(names: string[]) {
  return names.map((name, i) => ({
    id: `r${i}`,
    reference: provider.parseReference(`__PROVIDER_ID__://${name}`),
  }));
}

describe("references", () => {
  it("keeps the name's case and lowercases the scheme", () => {
    const written = `${"__PROVIDER_ID__".toUpperCase()}://Db/Password`;
    expect(parseServiceReference(written).canonical).toBe("__PROVIDER_ID__://Db/Password");
  });

  it("refuses names with empty parts, and says how to write one", async () => {
    const error = await vaultlinkRejection(
      Promise.resolve().then(() => parseServiceReference("__PROVIDER_ID__://db//password")),
    );
    expect(error.code).toBe("INVALID_REFERENCE");
    expect(error.hint).toContain("__PROVIDER_ID__://db/password");
  });
});

describe("sign-in", () => {
  it("a wrong API key is AUTH_FAILED, and the key is not in the message", async () => {
    const error = await vaultlinkRejection(
      (await instance({ url: service.url })).authenticate({
        method: "api-key",
        settings: { url: service.url },
        secrets: { apiKey: "wrong-key-41c6aa" },
      }),
    );
    expect(error.code).toBe("AUTH_FAILED");
    expect(error.message).not.toContain("wrong-key-41c6aa");
  });

  it("a url that is not http(s) names the setting", async () => {
    const error = await vaultlinkRejection(
      (await instance({ url: "ftp://example.com" })).authenticate({
        method: "api-key",
        settings: { url: "ftp://example.com" },
        secrets: { apiKey: API_KEY },
      }),
    );
    expect(error.code).toBe("PROVIDER_ERROR");
    expect(error.message).toContain("url setting");
  });

  it("the session expires when the service says it does", async () => {
    const session = await (await instance({ url: service.url })).authenticate({
      method: "api-key",
      settings: { url: service.url },
      secrets: { apiKey: API_KEY },
    });
    expect(session.expiresAt).toBeInstanceOf(Date);
    expect(session.identity).toBe("api key #1");
  });
});

describe("fetching", () => {
  it("requests for the same secret share one read", async () => {
    const before = service.reads.total;
    const results = await (await signedIn(service)).fetch(
      requests(["db/password", "db/password", "db/password"]),
    );
    expect(results.map((r) => (r.ok ? r.value : r.code))).toEqual([
      "unit-value-7a20",
      "unit-value-7a20",
      "unit-value-7a20",
    ]);
    expect(service.reads.total - before).toBe(1);
  });

  it("keeps at most ctx.concurrency reads in flight (core parses the setting)", async () => {
    const names = ["a", "b", "c", "d", "e", "f"];
    const slow = await startStandIn({
      secrets: Object.fromEntries(names.map((n) => [n, `value-${n}`])),
      apiKeys: [API_KEY],
      readDelayMs: 100,
    });
    try {
      const results = await (await signedIn(slow, { concurrency: 2 })).fetch(requests(names));
      expect(results.every((r) => r.ok)).toBe(true);
      expect(slow.reads.total).toBe(names.length);
      expect(slow.reads.peakInFlight).toBeLessThanOrEqual(2);
    } finally {
      await slow.close();
    }
  });

  it("gives each request ctx.requestTimeoutMs, then reports UNREACHABLE with the setting to raise", async () => {
    const stuck = await startStandIn({ secrets: { "db/password": "x" }, apiKeys: [API_KEY] });
    try {
      const created = await signedIn(stuck, { requestTimeoutMs: 300 });
      stuck.faults.hang();
      const [result] = await created.fetch(requests(["db/password"]));
      expect(result).toMatchObject({ ok: false, code: "UNREACHABLE" });
      expect(result?.ok === false && result.hint).toContain("--timeoutSeconds");
    } finally {
      stuck.faults.clear();
      await stuck.close();
    }
  });

  it("a dead session fails each request AUTH_EXPIRED with the reauth command", async () => {
    const created = await signedIn(service);
    service.faults.expireSessions();
    const results = await created.fetch(requests(["db/password", "missing"]));
    for (const result of results) {
      expect(result).toMatchObject({ ok: false, code: "AUTH_EXPIRED" });
      expect(result.ok === false && result.hint).toContain("integration reauth __PROVIDER_ID__");
    }
  });
});
