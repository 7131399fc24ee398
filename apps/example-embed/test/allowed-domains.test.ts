import { expectNoSecretIn } from "@vaultlink/testkit";
import { describe, expect, it } from "vitest";
import { formatResult, runCollection } from "../src/index.js";
import { collection, everything, request, secretValue, useTestBed } from "./helpers.js";

describe("a domain-restricted secret", () => {
  const token = secretValue("api-token");
  const open = secretValue("open-value");
  const bed = useTestBed({}, async ({ vault, outside }) => {
    await vault.secrets.add("api-token", { value: token, allowedDomains: ["http://127.0.0.1"] });
    await vault.secrets.add("open", { value: open });
    await vault.secrets.add("userinfo", { value: `u@${new URL(outside.origin).host}/` });
  });

  it("reaches its allowed host and never a host outside its allowed domains", async () => {
    const auth = { Authorization: "Bearer {{vault:api-token}}" };
    const run = await runCollection(
      collection(
        [
          request("allowed", `${bed.api.origin}/orders`, { headers: auth }),
          request("outside by URL", `${bed.outside.origin}/steal`, { headers: auth }),
          request("outside by variable", "{{elsewhere}}/steal?t={{vault:api-token}}"),
          request("outside in body", `${bed.outside.origin}/steal`, {
            method: "POST",
            body: '{"token":"{{vault:api-token}}"}',
          }),
          request(
            "outside through userinfo",
            `http://{{vault:userinfo}}@127.0.0.1/x?t={{vault:api-token}}`,
          ),
          request("unrestricted secret", `${bed.outside.origin}/open`, {
            headers: { "X-Open": "{{vault:open}}" },
          }),
        ],
        { elsewhere: bed.outside.origin },
      ),
      { vault: bed.vault },
    );

    expect(run.results.map((r) => r.outcome)).toEqual([
      "sent",
      "stopped",
      "stopped",
      "stopped",
      "stopped",
      "sent",
    ]);
    for (const r of run.results.slice(1, 5)) {
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
    const run = await runCollection(
      collection([
        request("redirected", `${bed.api.origin}/moved`, {
          method: "POST",
          headers: { "X-Api-Key": "{{vault:api-token}}" },
          body: "token={{vault:api-token}}",
        }),
      ]),
      { vault: bed.vault },
    );

    const [result] = run.results;
    expect(result?.outcome === "sent" && result.status).toBe(307);
    expect(result?.outcome === "sent" && result.redirectNotFollowed).toBe(
      `${bed.outside.origin}/landing`,
    );
    expect(bed.api.received).toHaveLength(1);
    expect(bed.outside.received).toHaveLength(0);
  });

  it("never shows its value in results or printed output", async () => {
    const run = await runCollection(
      collection([
        request("in URL", `${bed.api.origin}/q?key={{vault:api-token}}`),
        request("in header", `${bed.api.origin}/h`, {
          headers: { "X-Key": "{{vault:api-token}}" },
        }),
        request("refused", `${bed.outside.origin}/q?key={{vault:api-token}}`),
        request("unreachable", "http://127.0.0.1:1/down?key={{vault:api-token}}"),
      ]),
      { vault: bed.vault },
    );

    expect(run.results.map((r) => r.outcome)).toEqual(["sent", "sent", "stopped", "failed"]);
    expect(run.results[0]?.url).toBe(`${bed.api.origin}/q?key={{vault:api-token}}`);
    expect(bed.api.received.map((r) => r.url.includes(token))).toEqual([true, false]);
    const printed = run.results.flatMap(formatResult).join("\n");
    expect(printed).toContain("{{vault:api-token}}");
    expectNoSecretIn(run, [token], "the run result");
    expectNoSecretIn(printed, [token], "the printed output");
  });
});
