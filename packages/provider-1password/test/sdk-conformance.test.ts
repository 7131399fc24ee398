import { describeProviderConformance } from "@vaultlink/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import provider, { SDK_CLIENT_FACTORY_OPTION } from "../src/index.js";
import { createFakeOnePassword } from "./helpers/fake-onepassword.js";
import { fabricateServiceAccountToken } from "./helpers/token.js";

// The service-account path: the real SDK JavaScript layer over a fake inner core.
describeProviderConformance(
  { describe, it, expect, beforeAll, afterAll },
  async () => {
    const fake = createFakeOnePassword([
      {
        name: "Production",
        items: [
          {
            title: "Database",
            fields: [
              { label: "username", value: "svc-reader" },
              { label: "password", value: "pw-Prod-7f3a91", type: "concealed" },
            ],
          },
          {
            title: "Stripe",
            sections: [{ label: "API Keys" }],
            fields: [
              { label: "secret key", value: "sk_live_f00dcafe", section: "API Keys" },
              { label: "config", value: '{"region":"eu-west-1","tier":"gold"}' },
            ],
          },
          {
            title: "GitHub",
            fields: [{ label: "one-time password", type: "otp", code: "902114" }],
          },
        ],
      },
      {
        name: "Infra",
        items: [
          {
            title: "deploy key",
            fields: [
              {
                label: "private key",
                type: "sshKey",
                value: "pkcs8-key-material",
                openssh: "openssh-key-material",
              },
            ],
          },
        ],
      },
    ]);
    const token = fabricateServiceAccountToken();
    fake.tokens.add(token);
    return {
      provider,
      authenticate: { method: "service-account", settings: {}, secrets: { token } },
      // Rate-limit retries wait 1 ms instead of 500 ms; THROTTLED still comes after them.
      pluginOptions: { [SDK_CLIENT_FACTORY_OPTION]: fake.factory, throttleBaseDelayMs: 1 },
      faults: {
        expireCredentials: async () => {
          fake.fault = "auth-expired";
        },
        denyPermission: async () => {
          fake.fault = "forbidden";
        },
        throttle: async () => {
          fake.fault = "rate-limited";
        },
        makeUnreachable: async () => {
          fake.fault = "unreachable";
        },
        clear: async () => fake.clear(),
      },
    };
  },
  {
    validReferences: [
      "op://Production/Database/password",
      "op://Dev Vault/My Item/my field",
      "op://production/stripe/api keys/secret key",
      "op://Production/GitHub/one-time password?attribute=otp",
      "op://Infra/deploy key/private key?ssh-format=openssh",
      "op://abcdefghijklmnopqrstuvwxyz/0123456789abcdefghijklmnop/field",
    ],
    invalidReferences: [
      "",
      "Production/Database/password",
      "OP://Production/Database/password",
      "op://Production/Database",
      "op://a/b/c/d/e",
      "op://Production//password",
      "op://Production/Data$base/password",
      "op://Production/Database/password?attribute=value",
      "op://Production/Database/password?foo=bar",
      "op://Production/Database/password?attribute=otp&ssh-format=openssh",
    ],
    secrets: [
      { reference: "op://Production/Database/password", value: "pw-Prod-7f3a91" },
      { reference: "op://Production/Stripe/API Keys/secret key", value: "sk_live_f00dcafe" },
      { reference: "op://production/github/one-time password?attribute=totp", value: "902114" },
      {
        reference: "op://Infra/deploy key/private key?ssh-format=openssh",
        value: "openssh-key-material",
      },
    ],
    missingReference: "op://Production/Database/no such field",
    json: { reference: "op://Production/Stripe/config", key: "tier", expected: "gold" },
  },
  { name: "1password provider conformance (service account, SDK over a fake core)" },
);
