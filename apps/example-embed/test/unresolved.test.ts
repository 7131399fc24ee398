import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { formatSummary, runCollection } from "../src/index.js";
import {
  collection,
  createTestVault,
  request,
  secretValue,
  startServer,
  type TestServer,
  type TestVault,
} from "./helpers.js";

describe("an unresolved vault reference", () => {
  let api: TestServer;
  let t: TestVault;

  beforeEach(async () => {
    api = await startServer("127.0.0.1");
    t = await createTestVault();
    await t.vault.secrets.add("off", { value: secretValue("off"), enabled: false });
    await t.vault.secrets.add("elsewhere", {
      value: secretValue("elsewhere"),
      allowedDomains: ["api.example.com"],
    });
    await t.vault.secrets.add("fine", { value: secretValue("fine") });
  });

  afterEach(async () => {
    await Promise.all([api.close(), t.close()]);
  });

  it("stops its request with the reason and fix, and the run goes on", async () => {
    const reported: string[] = [];
    const run = await runCollection(
      collection([
        request("missing", `${api.origin}/missing`, { headers: { "X-Key": "{{vault:nope}}" } }),
        request("disabled", `${api.origin}/disabled?k={{vault:off}}`),
        request("not allowed", `${api.origin}/not-allowed`, {
          method: "POST",
          body: "{{vault:elsewhere}}",
        }),
        request("fine", `${api.origin}/fine`, { headers: { "X-Key": "{{vault:fine}}" } }),
      ]),
      { vault: t.vault, onRequest: (r) => reported.push(`${r.name}:${r.outcome}`) },
    );

    const stops = run.results.flatMap((r) =>
      r.outcome === "stopped" ? r.unresolved.map((u) => [r.name, u.name, u.reason]) : [],
    );
    expect(stops).toEqual([
      ["missing", "nope", "missing"],
      ["disabled", "off", "disabled"],
      ["not allowed", "elsewhere", "domain-not-allowed"],
    ]);
    for (const r of run.results) {
      if (r.outcome === "stopped") {
        expect(r.unresolved[0]?.message).toContain(`"${r.unresolved[0]?.name}"`);
        expect(r.unresolved[0]?.fix).toMatch(/vaultlink secret/);
      }
    }
    expect(api.received.map((r) => r.url)).toEqual(["/fine"]);
    expect(reported).toEqual([
      "missing:stopped",
      "disabled:stopped",
      "not allowed:stopped",
      "fine:sent",
    ]);
    expect(run.summary).toEqual({ total: 4, sent: 1, stopped: 3, failed: 0 });
    expect(run.ok).toBe(false);
    expect(formatSummary(run)).toBe("4 requests: 1 sent, 3 stopped");
  });

  it("stops a request when only one of its references is unresolved", async () => {
    const run = await runCollection(
      collection([
        request("half", `${api.origin}/half?a={{vault:fine}}`, {
          headers: { "X-B": "{{vault:nope}}" },
        }),
      ]),
      { vault: t.vault },
    );

    expect(run.summary).toEqual({ total: 1, sent: 0, stopped: 1, failed: 0 });
    expect(api.received).toHaveLength(0);
  });

  it("leaves a run with every request sent ok", async () => {
    const run = await runCollection(
      collection([request("fine", `${api.origin}/fine?k={{vault:fine}}`)]),
      {
        vault: t.vault,
      },
    );

    expect(run.ok).toBe(true);
    expect(formatSummary(run)).toBe("1 request: 1 sent, 0 stopped");
  });
});
