import {
  type RunningOnePasswordConnect,
  startOnePasswordConnectEmulator,
} from "@vaultlink/emulators";
import { describe } from "vitest";
import { providerE2e } from "./helpers.js";

const API_KEY = "op-e2e-api-key-8e2b7c4f1";
const DB_PASSWORD = "op-e2e-db-password-3f9a0d6";

describe("1Password Connect through the built CLI and the Connect emulator", () => {
  const tokens: string[] = [];
  const t = providerE2e<RunningOnePasswordConnect>({
    provider: "1password",
    start: async () => {
      const emu = await startOnePasswordConnectEmulator({
        vaults: [
          {
            name: "E2E",
            items: [
              {
                title: "Service",
                fields: [
                  { label: "api key", value: API_KEY, type: "CONCEALED" },
                  {
                    label: "db",
                    value: JSON.stringify({ username: "app", password: DB_PASSWORD }),
                    type: "CONCEALED",
                  },
                ],
              },
            ],
          },
        ],
      });
      tokens.push(emu.token);
      return emu;
    },
    secrets: () => [API_KEY, DB_PASSWORD, ...tokens],
  });

  t.connects(
    "connects with the connect method (token on stdin, never argv) to the emulator",
    () => ["--method", "connect", "--host", t.emu.serverURL],
    () => ({ token: t.emu.token }),
  );

  t.linksAndReads("links a field, and one with --json-key", () => [
    ["api-key", "op://E2E/Service/api key", API_KEY],
    ["db-password", "op://E2E/Service/db", DB_PASSWORD, "password"],
  ]);

  t.linkChecks("secret link checks the item and JSON key against 1Password", () => ({
    missing: "op://E2E/No Such Item/field",
    existing: "op://E2E/Service/db",
    badVersions: ["1"],
  }));

  t.expiredRead("expired tokens: read fails with exit 4, naming the reauth command", () =>
    t.emu.expireCredentials(),
  );

  t.reauthReads("reauth with a new Connect token makes read work again", () => {
    const token = t.emu.createToken();
    tokens.push(token);
    return { token };
  });

  t.connectedStatus({ authMethod: "connect" });

  t.noLeaks("no secret value or token in any stderr (or in non-read stdout), and no stack trace");
});
