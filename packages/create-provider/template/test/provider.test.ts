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

async function instance(settings: Record<string, unknown>) {
  const ctx = createTestContext({
    integration: { id: "__PROVIDER_ID__", authMethod: "api-key", settings },
  });
  return await provider.create(ctx);
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
