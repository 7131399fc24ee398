import { Tokens, type VaultEvents } from "@vaultlink/core";
import { createMemoryProvider, createRecordingLogger, expectNoSecretIn } from "@vaultlink/testkit";
import { describe, expect, it } from "vitest";
import { runCollection } from "../src/index.js";
import { collection, createTestVault, request, secretValue, useTestBed } from "./helpers.js";

describe("a linked secret", () => {
  const value = secretValue("linked");
  const memory = createMemoryProvider({ secrets: { "payments/key": value } });
  const bed = useTestBed({ providers: [memory.provider] }, async ({ vault }) => {
    memory.reset();
    await vault.integrations.connect({ provider: "memory", options: { token: "memory-token" } });
    await vault.links.link("payments-key", {
      integration: "memory",
      reference: "mem://payments/key",
      allowedDomains: ["http://127.0.0.1"],
    });
  });

  it("is fetched from the provider once and served from the cache afterwards", async () => {
    const sources: VaultEvents["SecretResolved"]["source"][] = [];
    bed.vault.events.on("SecretResolved", (e) => sources.push(e.source));
    const fetchesBefore = memory.calls.fetch;
    const headers = { "X-Payments-Key": "{{vault:payments-key}}" };

    const run = await runCollection(
      collection([
        request("one", `${bed.api.origin}/1`, { headers }),
        request("two", `${bed.api.origin}/2?k={{vault:payments-key}}`),
        request("three", `${bed.api.origin}/3`, {
          method: "POST",
          headers,
          body: "{{vault:payments-key}}",
        }),
      ]),
      { vault: bed.vault },
    );

    expect(run.summary.sent).toBe(3);
    expect(memory.calls.fetch - fetchesBefore).toBe(1);
    expect(sources).toEqual(["provider", "cache", "cache"]);
    expect(bed.api.received.map((r) => r.headers["x-payments-key"] === value)).toEqual([
      true,
      false,
      true,
    ]);
    expect(bed.api.received[1]?.url === `/2?k=${value}`).toBe(true);
    expect(bed.api.received[2]?.body === value).toBe(true);
    expectNoSecretIn(run, [value], "the run result");
  });

  it("keeps its allowed domains", async () => {
    const run = await runCollection(
      collection([
        request("outside", `${bed.outside.origin}/x`, {
          headers: { "X-K": "{{vault:payments-key}}" },
        }),
      ]),
      { vault: bed.vault },
    );
    expect(run.results[0]?.outcome === "stopped" && run.results[0].unresolved[0]?.reason).toBe(
      "domain-not-allowed",
    );
    expect(bed.outside.received).toHaveLength(0);
    expect(memory.calls.fetch).toBe(0);
  });

  it("stops requests with the integration's reason once it is disconnected", async () => {
    await bed.vault.integrations.disconnect("memory");
    const run = await runCollection(
      collection([request("after disconnect", `${bed.api.origin}/x?k={{vault:payments-key}}`)]),
      { vault: bed.vault },
    );

    expect(run.results[0]?.outcome === "stopped" && run.results[0].unresolved[0]?.reason).toBe(
      "disconnected",
    );
    expect(bed.api.received).toHaveLength(0);
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
        collection([request("one", `${bed.api.origin}/1?k={{vault:payments-key}}`)]),
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
