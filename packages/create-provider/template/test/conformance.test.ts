import { createTcpGate, describeProviderConformance } from "@vaultlink/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import provider from "../src/index.js";
import { startStandIn } from "./support/service.js";

// Distinctive values: the suite fails if any of them shows up in an error or a log line.
const API_KEY = "test-api-key-8c41d07e";
const SECRETS = {
  "db/password": "db-password-51f3a9",
  "payments/api-key": "payments-key-0b77e2",
  "app/config": JSON.stringify({ user: "app", password: "config-password-9e2d" }),
};

describeProviderConformance(
  { describe, it, expect, beforeAll, afterAll },
  async () => {
    const service = await startStandIn({ secrets: SECRETS, apiKeys: [API_KEY] });
    // A TCP pass-through in front of the service: closing it is a real connection refused.
    const gate = await createTcpGate(service.port);
    const settings = { url: gate.url };
    return {
      provider,
      authenticate: { method: "api-key", settings, secrets: { apiKey: API_KEY } },
      settings,
      faults: {
        expireCredentials: async () => service.faults.expireSessions(),
        denyPermission: async () => service.faults.deny(),
        throttle: async () => service.faults.throttle(),
        makeUnreachable: () => gate.close(),
        clear: async () => {
          service.faults.clear();
          if (gate.state !== "open") await gate.open();
        },
      },
      stop: async () => {
        await gate.stop();
        await service.close();
      },
    };
  },
  {
    validReferences: ["__PROVIDER_ID__://db/password", "__PROVIDER_ID__://payments/api-key"],
    invalidReferences: ["", "db/password", "__PROVIDER_ID__://", "__PROVIDER_ID__://a//b"],
    secrets: [
      { reference: "__PROVIDER_ID__://db/password", value: SECRETS["db/password"] },
      { reference: "__PROVIDER_ID__://payments/api-key", value: SECRETS["payments/api-key"] },
    ],
    missingReference: "__PROVIDER_ID__://no/such/secret",
    json: {
      reference: "__PROVIDER_ID__://app/config",
      key: "password",
      expected: "config-password-9e2d",
    },
  },
  { timeout: 30_000 },
);
