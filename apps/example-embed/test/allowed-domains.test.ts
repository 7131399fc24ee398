import { expectNoSecretIn } from "@vaultlink/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { formatResult, runCollection } from "../src/index.js";
import {
  collection,
  createTestVault,
  everything,
  request,
  secretValue,
  startServer,
  type TestServer,
  type TestVault,
} from "./helpers.js";

describe("a domain-restricted secret", () => {
  let api: TestServer;
  let outside: TestServer;
  let t: TestVault;
  const token = secretValue("api-token");
  const open = secretValue("open-value");

  beforeEach(async () => {
    api = await startServer("127.0.0.1");
    outside = await startServer("localhost");
    t = await createTestVault();
    await t.vault.secrets.add("api-token", { value: token, allowedDomains: ["http://127.0.0.1"] });
    await t.vault.secrets.add("open", { value: open });
    await t.vault.secrets.add("userinfo", { value: `u@${new URL(outside.origin).host}/` });
  });

  afterEach(async () => {
    await Promise.all([api.close(), outside.close(), t.close()]);
  });

  it("reaches its allowed host and never a host outside its allowed domains", async () => {
    const auth = { Authorization: "Bearer {{vault:api-token}}" };
    const run = await runCollection(
      collection(
        [
          request("allowed", `${api.origin}/orders`, { headers: auth }),
          request("outside by URL", `${outside.origin}/steal`, { headers: auth }),
          request("outside by variable", "{{elsewhere}}/steal?t={{vault:api-token}}"),
          request("outside in body", `${outside.origin}/steal`, {
            method: "POST",
            body: '{"token":"{{vault:api-token}}"}',
          }),
          request(
            "outside through userinfo",
            `http://{{vault:userinfo}}@127.0.0.1/x?t={{vault:api-token}}`,
          ),
          request("unrestricted secret", `${outside.origin}/open`, {
            headers: { "X-Open": "{{vault:open}}" },
          }),
        ],
        { elsewhere: outside.origin },
      ),
      { vault: t.vault },
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
    expect(api.received).toHaveLength(1);
    expect(api.received[0]?.headers.authorization === `Bearer ${token}`).toBe(true);
    // The outside server is reachable and records: it got the unrestricted request only.
    expect(outside.received.map((r) => r.url)).toEqual(["/open"]);
    expect(outside.received[0]?.headers["x-open"] === open).toBe(true);
    expect(everything(outside.received).includes(token)).toBe(false);
    expectNoSecretIn(outside.received, [token], "what the outside server received");
  });

  it("is not carried along a redirect to another host", async () => {
    api.respond("/moved", 307, { location: `${outside.origin}/landing` });
    const run = await runCollection(
      collection([
        request("redirected", `${api.origin}/moved`, {
          method: "POST",
          headers: { "X-Api-Key": "{{vault:api-token}}" },
          body: "token={{vault:api-token}}",
        }),
      ]),
      { vault: t.vault },
    );

    const [result] = run.results;
    expect(result?.outcome === "sent" && result.status).toBe(307);
    expect(result?.outcome === "sent" && result.redirectNotFollowed).toBe(
      `${outside.origin}/landing`,
    );
    expect(api.received).toHaveLength(1);
    expect(outside.received).toHaveLength(0);
  });

  it("never shows its value in results or printed output", async () => {
    const run = await runCollection(
      collection([
        request("in URL", `${api.origin}/q?key={{vault:api-token}}`),
        request("in header", `${api.origin}/h`, { headers: { "X-Key": "{{vault:api-token}}" } }),
        request("refused", `${outside.origin}/q?key={{vault:api-token}}`),
        request("unreachable", "http://127.0.0.1:1/down?key={{vault:api-token}}"),
      ]),
      { vault: t.vault },
    );

    expect(run.results.map((r) => r.outcome)).toEqual(["sent", "sent", "stopped", "failed"]);
    expect(run.results[0]?.url).toBe(`${api.origin}/q?key={{vault:api-token}}`);
    expect(api.received.map((r) => r.url.includes(token))).toEqual([true, false]);
    const printed = run.results.flatMap(formatResult).join("\n");
    expect(printed).toContain("{{vault:api-token}}");
    expectNoSecretIn(run, [token], "the run result");
    expectNoSecretIn(printed, [token], "the printed output");
  });
});
