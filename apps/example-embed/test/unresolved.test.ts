import { describe, expect, it } from "vitest";
import { vaultFetch } from "../src/index.js";
import { secretValue, useTestBed } from "./helpers.js";

describe("an unresolved vault reference", () => {
  const bed = useTestBed({}, async ({ vault }) => {
    await vault.secrets.add("off", { value: secretValue("off"), enabled: false });
    await vault.secrets.add("elsewhere", {
      value: secretValue("elsewhere"),
      allowedDomains: ["api.example.com"],
    });
    await vault.secrets.add("fine", { value: secretValue("fine") });
  });

  it("stops its request with the reason and fix; other requests go on", async () => {
    const stops: Array<[string, string, string]> = [];
    for (const [label, request] of [
      ["missing", { url: `${bed.api.origin}/missing`, headers: { "X-Key": "{{vault:nope}}" } }],
      ["disabled", { url: `${bed.api.origin}/disabled?k={{vault:off}}` }],
      ["not allowed", { method: "POST", url: `${bed.api.origin}/na`, body: "{{vault:elsewhere}}" }],
      ["fine", { url: `${bed.api.origin}/fine`, headers: { "X-Key": "{{vault:fine}}" } }],
    ] as const) {
      const r = await vaultFetch(bed.vault, request);
      if (r.outcome !== "stopped") continue;
      for (const u of r.unresolved) {
        stops.push([label, u.name, u.reason]);
        expect(u.message).toContain(`"${u.name}"`);
        expect(u.fix).toMatch(/vaultlink secret/);
      }
    }
    expect(stops).toEqual([
      ["missing", "nope", "missing"],
      ["disabled", "off", "disabled"],
      ["not allowed", "elsewhere", "domain-not-allowed"],
    ]);
    expect(bed.api.received.map((r) => r.url)).toEqual(["/fine"]);
  });

  it("stops a request when only one of its references is unresolved", async () => {
    const r = await vaultFetch(bed.vault, {
      url: `${bed.api.origin}/half?a={{vault:fine}}`,
      headers: { "X-B": "{{vault:nope}}" },
    });
    expect(r.outcome).toBe("stopped");
    expect(bed.api.received).toHaveLength(0);
  });
});
