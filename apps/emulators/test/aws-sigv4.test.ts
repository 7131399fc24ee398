import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AwsCredentials, type AwsEmulator, startAwsEmulator } from "../src/index.js";

const known: AwsCredentials = { accessKeyId: "AKIDKNOWN", secretAccessKey: "known-secret" };
let emulator: AwsEmulator;

function get(credentials: AwsCredentials) {
  const client = new SecretsManagerClient({
    endpoint: emulator.url,
    region: "us-east-1",
    credentials,
    maxAttempts: 1,
  });
  return client.send(new GetSecretValueCommand({ SecretId: "app/token" }));
}

async function errorName(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "ok";
  } catch (error) {
    return (error as Error).name;
  }
}

beforeAll(async () => {
  emulator = await startAwsEmulator({ verifySignatures: true, credentials: [known] });
  await emulator.seed([{ name: "app/token", value: "tok-1" }]);
});

afterAll(async () => {
  await emulator?.stop();
});

describe("AWS emulator with SigV4 verification", () => {
  it("accepts correctly signed requests from known and issued keys", async () => {
    expect((await get(known)).SecretString).toBe("tok-1");
    expect((await get(emulator.issueCredentials())).SecretString).toBe("tok-1");
  });

  it("rejects a wrong secret key and an unknown key id", async () => {
    expect(await errorName(get({ ...known, secretAccessKey: "wrong" }))).toBe(
      "InvalidSignatureException",
    );
    expect(await errorName(get({ accessKeyId: "AKIDUNKNOWN", secretAccessKey: "x" }))).toBe(
      "UnrecognizedClientException",
    );
  });

  it("expired keys stay expired; the control API resets moto and the key table", async () => {
    const issued = emulator.issueCredentials();
    emulator.expireCredentials();
    expect(await errorName(get(issued))).toBe("ExpiredTokenException");
    expect(await errorName(get(known))).toBe("ExpiredTokenException");

    const res = await fetch(`${emulator.url}/__emulator/reset`, { method: "POST" });
    expect(res.status).toBe(200);
    expect(await errorName(get(known))).toBe("ResourceNotFoundException");
  });
});
