import { startOnePasswordConnectEmulator } from "@vaultlink/emulators";
import { createTcpGate, describeProviderConformance } from "@vaultlink/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import provider from "../src/index.js";

// The Connect path: the real @1password/connect SDK over HTTP against the Connect emulator.
// The provider talks to it through a TCP relay, so "unreachable" is a real connection reset.
describeProviderConformance(
  { describe, it, expect, beforeAll, afterAll },
  async () => {
    const emulator = await startOnePasswordConnectEmulator({
      vaults: [
        {
          name: "Production",
          items: [
            {
              title: "Database",
              fields: [
                { label: "username", value: "svc-reader", purpose: "USERNAME" },
                {
                  label: "password",
                  value: "pw-Conn-51c2e0",
                  type: "CONCEALED",
                  purpose: "PASSWORD",
                },
              ],
            },
            {
              title: "Stripe",
              sections: ["API Keys"],
              fields: [
                { label: "secret key", value: "sk_live_c0ffee42", section: "API Keys" },
                { label: "config", value: '{"region":"eu-west-1","tier":"silver"}' },
              ],
            },
          ],
        },
      ],
    });
    const relay = await createTcpGate(emulator.port);
    const settings = { host: relay.url, timeoutMs: 5_000 };
    return {
      provider,
      authenticate: { method: "connect", settings, secrets: { token: emulator.token } },
      settings,
      // Rate-limit retries wait 1 ms instead of 500 ms; THROTTLED still comes after them.
      pluginOptions: { throttleBaseDelayMs: 1 },
      faults: {
        // A 401 from the server, as when the token is revoked (the emulator's
        // expireCredentials() is exercised with a fresh token in connect.test.ts).
        expireCredentials: async () => {
          emulator.inject({ error: "unauthorized" });
        },
        denyPermission: async () => {
          emulator.inject({ error: "forbidden" });
        },
        throttle: async () => {
          emulator.inject({ error: "rate-limited" });
        },
        makeUnreachable: () => relay.close("reset"),
        clear: async () => {
          await relay.open();
          emulator.clearFaults();
        },
      },
      stop: async () => {
        await relay.stop();
        await emulator.stop();
      },
    };
  },
  {
    validReferences: [
      "op://Production/Database/password",
      "op://production/stripe/API Keys/secret key",
      "op://Production/GitHub/one-time password?attribute=otp",
    ],
    invalidReferences: ["", "op://Production/Database", "op://Production/Database/pass%20word"],
    secrets: [
      { reference: "op://Production/Database/password", value: "pw-Conn-51c2e0" },
      { reference: "op://Production/Stripe/API Keys/secret key", value: "sk_live_c0ffee42" },
      { reference: "op://Production/Database/username", value: "svc-reader" },
    ],
    missingReference: "op://Production/No Such Item/password",
    json: { reference: "op://Production/Stripe/config", key: "tier", expected: "silver" },
  },
  { name: "1password provider conformance (Connect server emulator)", timeout: 30_000 },
);
