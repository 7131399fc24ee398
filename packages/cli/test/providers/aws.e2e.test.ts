import { type AwsEmulator, startAwsEmulator } from "@vaultlink/emulators";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createVault,
  describeRun,
  type E2eVault,
  EXIT,
  hasStackTrace,
  integrationStatus,
  leaksAny,
  type RunResult,
} from "./helpers.js";

const API_KEY = "aws-e2e-api-key-7f3a9c21d";
const DB_PASSWORD = "aws-e2e-db-password-91be4d0";
const SECRETS = [API_KEY, DB_PASSWORD];

describe("AWS Secrets Manager through the built CLI and the AWS emulator (moto)", () => {
  let emu: AwsEmulator;
  let v: E2eVault;
  let creds: { accessKeyId: string; secretAccessKey: string };
  const allSecrets = () => [...SECRETS, creds.accessKeyId, creds.secretAccessKey];
  const d = (r: Parameters<typeof describeRun>[0]) => describeRun(r, allSecrets());

  beforeAll(async () => {
    emu = await startAwsEmulator({ verifySignatures: true });
    await emu.seed([
      { name: "e2e/api-key", value: API_KEY },
      { name: "e2e/db", json: { username: "app", password: DB_PASSWORD } },
    ]);
    creds = emu.issueCredentials();
    v = await createVault();
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
    const a = await v.run(["secret", "link", "api-key", "aws", "e2e/api-key"]);
    expect(a.code, d(a)).toBe(EXIT.ok);
    const b = await v.run([
      "secret",
      "link",
      "db-password",
      "aws",
      "e2e/db",
      "--json-key",
      "password",
    ]);
    expect(b.code, d(b)).toBe(EXIT.ok);
  });

  it("read prints the values from the provider", async () => {
    const a = await v.run(["read", "api-key"]);
    expect(a.code, d(a)).toBe(EXIT.ok);
    expect(a.stdout === `${API_KEY}\n`, "read api-key printed the seeded value").toBe(true);
    const b = await v.run(["read", "db-password", "-n"]);
    expect(b.code, d(b)).toBe(EXIT.ok);
    expect(b.stdout === DB_PASSWORD, "read db-password printed the JSON key's value").toBe(true);
  });

  it("a second read is a cache hit: no request reaches the emulator", async () => {
    const before = emu.requests.count();
    const a = await v.run(["read", "api-key"]);
    const b = await v.run(["read", "db-password"]);
    expect(a.code, d(a)).toBe(EXIT.ok);
    expect(b.code, d(b)).toBe(EXIT.ok);
    expect(a.stdout === `${API_KEY}\n`, "cached api-key value").toBe(true);
    expect(emu.requests.count()).toBe(before);
  });

  let expired: RunResult | undefined;

  it("expired credentials: read fails, naming the reauth command on stderr", async () => {
    emu.expireCredentials();
    const reset = await v.run(["cache", "reset"]);
    expect(reset.code, d(reset)).toBe(EXIT.ok);
    const before = emu.requests.count();
    const r = await v.run(["read", "api-key"]);
    expired = r;
    expect(emu.requests.count()).toBeGreaterThan(before);
    expect(r.code, d(r)).not.toBe(EXIT.ok);
    expect(r.stdout === "", "nothing on stdout").toBe(true);
    expect(r.stderr, d(r)).toMatch(/^error: .*auth-expired.*ExpiredTokenException/);
    expect(r.stderr, d(r)).toMatch(/^hint: .*vaultlink integration reauth aws\b/m);
    const s = await integrationStatus(v, "aws");
    expect(s.info?.status, d(s.result)).toBe("auth-expired");
  });

  // Fails today: `read` maps every unresolved result to exit 3 (see the report / commands/read.ts).
  it("expired credentials: read exits with the authentication exit code (4)", () => {
    expect(expired, "the previous test ran the read").toBeDefined();
    expect(expired?.code, expired && d(expired)).toBe(EXIT.auth);
  });

  it("reauth with a fresh key pair makes read work again", async () => {
    creds = emu.issueCredentials();
    const r = await v.run(["integration", "reauth", "aws", "--secrets-stdin"], {
      input: JSON.stringify(creds),
    });
    expect(r.code, d(r)).toBe(EXIT.ok);
    const a = await v.run(["read", "api-key"]);
    expect(a.code, d(a)).toBe(EXIT.ok);
    expect(a.stdout === `${API_KEY}\n`, "api-key after reauth").toBe(true);
    const b = await v.run(["read", "db-password"]);
    expect(b.code, d(b)).toBe(EXIT.ok);
    expect(b.stdout === `${DB_PASSWORD}\n`, "db-password after reauth").toBe(true);
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
    expect(v.runs.length).toBeGreaterThan(10);
    expect(
      leaksAny(
        v.runs.map((r) => r.stderr),
        allSecrets(),
      ),
      "a secret appeared on stderr",
    ).toBe(false);
    const nonRead = v.runs.filter((r) => r.args[0] !== "read").map((r) => r.stdout);
    expect(
      leaksAny(nonRead, allSecrets()),
      "a secret appeared on stdout of a non-read command",
    ).toBe(false);
    const traced = v.runs.filter((r) => hasStackTrace(r.stderr) || hasStackTrace(r.stdout));
    expect(traced.map((r) => r.args.join(" "))).toEqual([]);
  });
});
