import {
  type RunningOnePasswordConnect,
  startOnePasswordConnectEmulator,
} from "@vaultlink/emulators";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createVault,
  describeRun,
  type E2eVault,
  EXIT,
  e2eChecks,
  hasStackTrace,
  integrationStatus,
  leaksAny,
  type RunResult,
} from "./helpers.js";

const API_KEY = "op-e2e-api-key-8e2b7c4f1";
const DB_PASSWORD = "op-e2e-db-password-3f9a0d6";

describe("1Password Connect through the built CLI and the Connect emulator", () => {
  let emu: RunningOnePasswordConnect;
  let v: E2eVault;
  const tokens: string[] = [];
  const secrets = () => [API_KEY, DB_PASSWORD, ...tokens];
  const d = (r: RunResult) => describeRun(r, secrets());
  let check: ReturnType<typeof e2eChecks>;

  beforeAll(async () => {
    emu = await startOnePasswordConnectEmulator({
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
    v = await createVault();
    check = e2eChecks(v, secrets);
  }, 120_000);

  afterAll(async () => {
    v?.cleanup();
    await emu?.stop();
  });

  it("vault create gave a vault key", () => {
    expect(v.key).toMatch(/^vlk_/);
  });

  it("connects with the connect method (token on stdin, never argv) to the emulator", async () => {
    const r = await v.run(
      [
        "integration",
        "connect",
        "1password",
        "--method",
        "connect",
        "--host",
        emu.serverURL,
        "--secrets-stdin",
        "--json",
      ],
      { input: JSON.stringify({ token: emu.token }) },
    );
    expect(r.code, d(r)).toBe(EXIT.ok);
    const info = JSON.parse(r.stdout) as { id: string; status: string };
    expect(info).toMatchObject({ id: "1password", status: "connected" });
  });

  it("links a field, and one with --json-key", async () => {
    await check.links("1password", [
      ["api-key", "op://E2E/Service/api key"],
      ["db-password", "op://E2E/Service/db", "password"],
    ]);
  });

  it("read prints the values from the provider", async () => {
    await check.reads([
      ["api-key", API_KEY],
      ["db-password", DB_PASSWORD],
    ]);
  });

  it("a second read is a cache hit: no request reaches the emulator", async () => {
    await check.cacheHit(["api-key", "db-password"], () => emu.requests.count());
  });

  it("expired tokens: read fails with exit 4, naming the reauth command", async () => {
    emu.expireCredentials();
    await check.expiredRead("api-key", "1password", () => emu.requests.count());
  });

  it("reauth with a new Connect token makes read work again", async () => {
    const token = emu.createToken();
    tokens.push(token);
    const r = await v.run(["integration", "reauth", "1password", "--secrets-stdin"], {
      input: JSON.stringify({ token }),
    });
    expect(r.code, d(r)).toBe(EXIT.ok);
    await check.reads([
      ["api-key", API_KEY],
      ["db-password", DB_PASSWORD],
    ]);
  });

  it("integration status --json shows connected", async () => {
    const { result, info } = await integrationStatus(v, "1password");
    expect(result.code, d(result)).toBe(EXIT.ok);
    expect(info).toMatchObject({
      id: "1password",
      provider: "1password",
      status: "connected",
      authMethod: "connect",
    });
  });

  it("no secret value or token in any stderr (or in non-read stdout), and no stack trace", () => {
    check.noLeaks();
  });
});
