import { type AwsEmulator, startAwsEmulator } from "@vaultlink/emulators";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createVault, type E2eVault, EXIT, e2eChecks, integrationStatus } from "./helpers.js";

const API_KEY = "aws-e2e-api-key-7f3a9c21d";
const DB_PASSWORD = "aws-e2e-db-password-91be4d0";
const SECRETS = [API_KEY, DB_PASSWORD];

describe("AWS Secrets Manager through the built CLI and the AWS emulator (moto)", () => {
  let emu: AwsEmulator;
  let v: E2eVault;
  let creds: { accessKeyId: string; secretAccessKey: string };
  const allSecrets = () => [...SECRETS, creds.accessKeyId, creds.secretAccessKey];
  let check: ReturnType<typeof e2eChecks>;
  const d: ReturnType<typeof e2eChecks>["d"] = (r) => check.d(r);

  beforeAll(async () => {
    emu = await startAwsEmulator({ verifySignatures: true });
    await emu.seed([
      { name: "e2e/api-key", value: API_KEY },
      { name: "e2e/db", json: { username: "app", password: DB_PASSWORD } },
    ]);
    creds = emu.issueCredentials();
    v = await createVault();
    check = e2eChecks(v, allSecrets);
  }, 120_000);

  afterAll(async () => {
    v?.cleanup();
    await emu?.stop();
  });

  it("vault create gave a vault key", () => {
    expect(v.key).toMatch(/^vlk_/);
  });

  it("connects with access-key (keys on stdin, never argv) to the emulator", async () => {
    const r = await v.run(
      [
        "integration",
        "connect",
        "aws",
        "--method",
        "access-key",
        "--region",
        emu.region,
        "--endpoint",
        emu.url,
        "--secrets-stdin",
        "--json",
      ],
      { input: JSON.stringify(creds) },
    );
    expect(r.code, d(r)).toBe(EXIT.ok);
    const info = JSON.parse(r.stdout) as { id: string; status: string };
    expect(info.id).toBe("aws");
    expect(info.status).toBe("connected");
  });

  it("links a secret by name, and one with --json-key", async () => {
    await check.links("aws", [
      ["api-key", "e2e/api-key"],
      ["db-password", "e2e/db", "password"],
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

  it("expired credentials: read fails with exit 4, naming the reauth command", async () => {
    emu.expireCredentials();
    await check.expiredRead("api-key", "aws", () => emu.requests.count());
  });

  it("reauth with a fresh key pair makes read work again", async () => {
    creds = emu.issueCredentials();
    const r = await v.run(["integration", "reauth", "aws", "--secrets-stdin"], {
      input: JSON.stringify(creds),
    });
    expect(r.code, d(r)).toBe(EXIT.ok);
    await check.reads([
      ["api-key", API_KEY],
      ["db-password", DB_PASSWORD],
    ]);
  });

  it("integration status --json shows connected", async () => {
    const { result, info } = await integrationStatus(v, "aws");
    expect(result.code, d(result)).toBe(EXIT.ok);
    expect(info).toMatchObject({
      id: "aws",
      provider: "aws",
      status: "connected",
      authMethod: "access-key",
    });
  });

  it("no secret value or key in any stderr (or in non-read stdout), and no stack trace", () => {
    check.noLeaks();
  });
});
