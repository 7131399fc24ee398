import { Tokens, type VaultEvents } from "@vaultlink/core";
import { createMemoryProvider, createRecordingLogger, expectNoSecretIn } from "@vaultlink/testkit";
import { describe, expect, it } from "vitest";
import { vaultFetch } from "../src/index.js";
import { createTestVault, secretValue, useTestBed } from "./helpers.js";

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

    const outcomes = [
      await vaultFetch(bed.vault, { url: `${bed.api.origin}/1`, headers }),
      await vaultFetch(bed.vault, { url: `${bed.api.origin}/2?k={{vault:payments-key}}` }),
      await vaultFetch(bed.vault, {
        method: "POST",
        url: `${bed.api.origin}/3`,
        headers,
        body: "{{vault:payments-key}}",
      }),
    ];

    expect(outcomes.map((o) => o.outcome)).toEqual(["sent", "sent", "sent"]);
    expect(memory.calls.fetch - fetchesBefore).toBe(1);
    expect(sources).toEqual(["provider", "cache", "cache"]);
    expect(bed.api.received.map((r) => r.headers["x-payments-key"] === value)).toEqual([
      true,
      false,
      true,
    ]);
    expect(bed.api.received[1]?.url === `/2?k=${value}`).toBe(true);
    expect(bed.api.received[2]?.body === value).toBe(true);
    expectNoSecretIn(outcomes, [value], "the outcomes");
  });

  it("keeps its allowed domains", async () => {
    const r = await vaultFetch(bed.vault, {
      url: `${bed.outside.origin}/x`,
      headers: { "X-K": "{{vault:payments-key}}" },
    });
    expect(r.outcome === "stopped" && r.unresolved[0]?.reason).toBe("domain-not-allowed");
    expect(bed.outside.received).toHaveLength(0);
    expect(memory.calls.fetch).toBe(0);
  });

  it("stops requests with the integration's reason once it is disconnected", async () => {
    await bed.vault.integrations.disconnect("memory");
    const r = await vaultFetch(bed.vault, { url: `${bed.api.origin}/x?k={{vault:payments-key}}` });
    expect(r.outcome === "stopped" && r.unresolved[0]?.reason).toBe("disconnected");
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
      await vaultFetch(own.vault, { url: `${bed.api.origin}/1?k={{vault:payments-key}}` });

      expect(logger.lines.map((l) => l.message)).toContain("memory provider fetch");
      expectNoSecretIn(logger.lines, [value], "the log");
    } finally {
      await own.close();
    }
  });
});
