import { describe, expect, it } from "vitest";
import { formatSummary, runCollection } from "../src/index.js";
import { collection, request, secretValue, useTestBed } from "./helpers.js";

describe("an unresolved vault reference", () => {
  const bed = useTestBed({}, async ({ vault }) => {
    await vault.secrets.add("off", { value: secretValue("off"), enabled: false });
    await vault.secrets.add("elsewhere", {
      value: secretValue("elsewhere"),
      allowedDomains: ["api.example.com"],
    });
    await vault.secrets.add("fine", { value: secretValue("fine") });
  });

  it("stops its request with the reason and fix, and the run goes on", async () => {
    const reported: string[] = [];
    const run = await runCollection(
      collection([
        request("missing", `${bed.api.origin}/missing`, { headers: { "X-Key": "{{vault:nope}}" } }),
        request("disabled", `${bed.api.origin}/disabled?k={{vault:off}}`),
        request("not allowed", `${bed.api.origin}/not-allowed`, {
          method: "POST",
          body: "{{vault:elsewhere}}",
        }),
        request("fine", `${bed.api.origin}/fine`, { headers: { "X-Key": "{{vault:fine}}" } }),
      ]),
      { vault: bed.vault, onRequest: (r) => reported.push(`${r.name}:${r.outcome}`) },
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
    expect(bed.api.received.map((r) => r.url)).toEqual(["/fine"]);
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
        request("half", `${bed.api.origin}/half?a={{vault:fine}}`, {
          headers: { "X-B": "{{vault:nope}}" },
        }),
      ]),
      { vault: bed.vault },
    );

    expect(run.summary).toEqual({ total: 1, sent: 0, stopped: 1, failed: 0 });
    expect(bed.api.received).toHaveLength(0);
  });

  it("leaves a run with every request sent ok", async () => {
    const run = await runCollection(
      collection([request("fine", `${bed.api.origin}/fine?k={{vault:fine}}`)]),
      {
        vault: bed.vault,
      },
    );

    expect(run.ok).toBe(true);
    expect(formatSummary(run)).toBe("1 request: 1 sent, 0 stopped");
  });
});
