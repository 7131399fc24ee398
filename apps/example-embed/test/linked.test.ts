import { Tokens, type VaultEvents } from "@vaultlink/core";
import { createMemoryProvider, createRecordingLogger, expectNoSecretIn } from "@vaultlink/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCollection } from "../src/index.js";
import {
  collection,
  createTestVault,
  request,
  secretValue,
  startServer,
  type TestServer,
  type TestVault,
} from "./helpers.js";

describe("a linked secret", () => {
  const value = secretValue("linked");
  const memory = createMemoryProvider({ secrets: { "payments/key": value } });
  let api: TestServer;
  let t: TestVault;

  beforeEach(async () => {
    memory.reset();
    api = await startServer("127.0.0.1");
    t = await createTestVault({ providers: [memory.provider] });
    await t.vault.integrations.connect({ provider: "memory", options: { token: "memory-token" } });
    await t.vault.links.link("payments-key", {
      integration: "memory",
      reference: "mem://payments/key",
      allowedDomains: ["http://127.0.0.1"],
    });
  });

  afterEach(async () => {
    await Promise.all([api.close(), t.close()]);
  });

  it("is fetched from the provider once and served from the cache afterwards", async () => {
    const sources: VaultEvents["SecretResolved"]["source"][] = [];
    t.vault.events.on("SecretResolved", (e) => sources.push(e.source));
    const fetchesBefore = memory.calls.fetch;
    const headers = { "X-Payments-Key": "{{vault:payments-key}}" };

    const run = await runCollection(
      collection([
        request("one", `${api.origin}/1`, { headers }),
        request("two", `${api.origin}/2?k={{vault:payments-key}}`),
        request("three", `${api.origin}/3`, {
          method: "POST",
          headers,
          body: "{{vault:payments-key}}",
        }),
      ]),
      { vault: t.vault },
    );

    expect(run.summary.sent).toBe(3);
    expect(memory.calls.fetch - fetchesBefore).toBe(1);
    expect(sources).toEqual(["provider", "cache", "cache"]);
    expect(api.received.map((r) => r.headers["x-payments-key"] === value)).toEqual([
      true,
      false,
      true,
    ]);
    expect(api.received[1]?.url === `/2?k=${value}`).toBe(true);
    expect(api.received[2]?.body === value).toBe(true);
    expectNoSecretIn(run, [value], "the run result");
  });

  it("keeps its allowed domains", async () => {
    const outside = await startServer("localhost");
    try {
      const run = await runCollection(
        collection([
          request("outside", `${outside.origin}/x`, {
            headers: { "X-K": "{{vault:payments-key}}" },
          }),
        ]),
        { vault: t.vault },
      );
      expect(run.results[0]?.outcome === "stopped" && run.results[0].unresolved[0]?.reason).toBe(
        "domain-not-allowed",
      );
      expect(outside.received).toHaveLength(0);
      expect(memory.calls.fetch).toBe(0);
    } finally {
      await outside.close();
    }
  });

  it("stops requests with the integration's reason once it is disconnected", async () => {
    await t.vault.integrations.disconnect("memory");
    const run = await runCollection(
      collection([request("after disconnect", `${api.origin}/x?k={{vault:payments-key}}`)]),
      { vault: t.vault },
    );

    expect(run.results[0]?.outcome === "stopped" && run.results[0].unresolved[0]?.reason).toBe(
      "disconnected",
    );
    expect(api.received).toHaveLength(0);
  });

  it("uses services replaced through configure(container), and logs no value", async () => {
    const logger = createRecordingLogger();
    const own = await createTestVault({
      providers: [memory.provider],
      configure: (container) => container.register(Tokens.Logger, { useValue: logger }),
    });
    try {
      await own.vault.integrations.connect({
        provider: "memory",
        options: { token: "memory-token" },
      });
      await own.vault.links.link("payments-key", {
        integration: "memory",
        reference: "mem://payments/key",
      });
      await runCollection(
        collection([request("one", `${api.origin}/1?k={{vault:payments-key}}`)]),
        {
          vault: own.vault,
        },
      );

      expect(logger.lines.map((l) => l.message)).toContain("memory provider fetch");
      expectNoSecretIn(logger.lines, [value], "the log");
    } finally {
      await own.close();
    }
  });
});
