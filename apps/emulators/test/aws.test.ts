import {
  BatchGetSecretValueCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
  SecretsManagerServiceException,
} from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type AwsCredentials,
  type AwsEmulator,
  startAwsEmulator,
  startMoto,
} from "../src/index.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

let emulator: AwsEmulator;
let arns: string[];

function clientWith(credentials: AwsCredentials): SecretsManagerClient {
  return new SecretsManagerClient({
    endpoint: emulator.url,
    region: "us-east-1",
    credentials,
    maxAttempts: 1,
  });
}

/** A client with a key id the emulator has not expired (the expiry test expires the ones it saw). */
const client = () => clientWith(emulator.issueCredentials());

async function failure(promise: Promise<unknown>): Promise<SecretsManagerServiceException> {
  try {
    await promise;
  } catch (error) {
    return error as SecretsManagerServiceException;
  }
  throw new Error("expected the call to fail");
}

beforeAll(async () => {
  emulator = await startAwsEmulator();
  arns = await emulator.seed([
    { name: "app/db", json: { user: "u", pass: "old" } },
    { name: "app/db", json: { user: "u", pass: "new" } },
    { name: "app/token", value: "tok-1" },
    { name: "app/cert", binary: new Uint8Array([0, 1, 2, 250]) },
  ]);
});

afterAll(async () => {
  await emulator?.stop();
});

beforeEach(() => {
  emulator.clearFaults();
  emulator.requests.reset();
});

describe("AWS Secrets Manager emulator (moto + fault layer)", () => {
  it("seeds through moto and returns real-looking ARNs", () => {
    expect(arns).toHaveLength(4);
    expect(arns[0]).toMatch(/^arn:aws:secretsmanager:us-east-1:123456789012:secret:app\/db-\w{6}$/);
    expect(arns[1]).toBe(arns[0]);
  });

  it("GetSecretValue returns strings, binaries and the AWSPREVIOUS stage", async () => {
    const current = await client().send(new GetSecretValueCommand({ SecretId: "app/db" }));
    expect(JSON.parse(current.SecretString ?? "")).toEqual({ user: "u", pass: "new" });
    expect(current.VersionStages).toContain("AWSCURRENT");
    expect(current.CreatedDate).toBeInstanceOf(Date);

    const previous = await client().send(
      new GetSecretValueCommand({ SecretId: "app/db", VersionStage: "AWSPREVIOUS" }),
    );
    expect(JSON.parse(previous.SecretString ?? "")).toEqual({ user: "u", pass: "old" });
    expect(previous.VersionStages).toEqual(["AWSPREVIOUS"]);

    const byArn = await client().send(new GetSecretValueCommand({ SecretId: arns[2] }));
    expect(byArn.SecretString).toBe("tok-1");

    const binary = await client().send(new GetSecretValueCommand({ SecretId: "app/cert" }));
    expect(binary.SecretString).toBeUndefined();
    expect(Array.from(binary.SecretBinary ?? [])).toEqual([0, 1, 2, 250]);
  });

  it("BatchGetSecretValue reports a missing id in Errors", async () => {
    const out = await client().send(
      new BatchGetSecretValueCommand({ SecretIdList: ["app/token", "missing/one"] }),
    );
    expect(out.SecretValues?.map((v) => v.Name)).toEqual(["app/token"]);
    expect(out.Errors).toEqual([
      expect.objectContaining({ SecretId: "missing/one", ErrorCode: "ResourceNotFoundException" }),
    ]);
  });

  it("ListSecrets lists the seeded secrets", async () => {
    const out = await client().send(new ListSecretsCommand({}));
    expect(out.SecretList?.map((s) => s.Name).sort()).toEqual(["app/cert", "app/db", "app/token"]);
  });

  it("a missing secret is the SDK's ResourceNotFoundException with status 400", async () => {
    const err = await failure(client().send(new GetSecretValueCommand({ SecretId: "nope" })));
    expect(err).toBeInstanceOf(ResourceNotFoundException);
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect(err.message).toBe("Secrets Manager can't find the specified secret.");
  });

  it.each([
    ["ExpiredTokenException", 400, "The security token included in the request is expired"],
    ["UnrecognizedClientException", 400, "The security token included in the request is invalid."],
    ["AccessDeniedException", 400, "secretsmanager:GetSecretValue on resource: app/token"],
    ["ThrottlingException", 400, "Rate exceeded"],
    ["InternalServiceError", 500, "An error occurred on the server side."],
  ])("an injected %s surfaces with that name", async (fault, status, message) => {
    emulator.inject({ operation: "GetSecretValue", error: fault, times: 1 });
    const err = await failure(client().send(new GetSecretValueCommand({ SecretId: "app/token" })));
    expect(err).toBeInstanceOf(SecretsManagerServiceException);
    expect(err.name).toBe(fault);
    expect(err.$metadata.httpStatusCode).toBe(status);
    expect(err.message).toContain(message);
    const after = await client().send(new GetSecretValueCommand({ SecretId: "app/token" }));
    expect(after.SecretString).toBe("tok-1");
  });

  it("latency injection delays the answer", async () => {
    emulator.inject({ operation: "GetSecretValue", latencyMs: 300, times: 1 });
    const started = performance.now();
    await client().send(new GetSecretValueCommand({ SecretId: "app/token" }));
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });

  it("a rule with times: N applies to the next N matching calls only", async () => {
    emulator.inject({ operation: "GetSecretValue", error: "ThrottlingException", times: 2 });
    const names: string[] = [];
    for (let i = 0; i < 3; i++) {
      try {
        await client().send(new GetSecretValueCommand({ SecretId: "app/token" }));
        names.push("ok");
      } catch (error) {
        names.push((error as Error).name);
      }
    }
    expect(names).toEqual(["ThrottlingException", "ThrottlingException", "ok"]);
    // other operations were never affected
    await expect(client().send(new ListSecretsCommand({}))).resolves.toBeDefined();
  });

  it("expireCredentials rejects keys seen before it and accepts fresh ones", async () => {
    const old = clientWith(emulator.issueCredentials());
    const used = clientWith({ accessKeyId: "AKIDUSEDBEFORE", secretAccessKey: "x" });
    await used.send(new GetSecretValueCommand({ SecretId: "app/token" }));
    emulator.expireCredentials();
    for (const expired of [old, used]) {
      const err = await failure(expired.send(new GetSecretValueCommand({ SecretId: "app/token" })));
      expect(err.name).toBe("ExpiredTokenException");
      expect(err.message).toBe("The security token included in the request is expired");
    }
    const fresh = clientWith(emulator.issueCredentials());
    const out = await fresh.send(new GetSecretValueCommand({ SecretId: "app/token" }));
    expect(out.SecretString).toBe("tok-1");
  });

  it("counts requests by operation", async () => {
    const c = client();
    await c.send(new GetSecretValueCommand({ SecretId: "app/token" }));
    await c.send(new GetSecretValueCommand({ SecretId: "app/db" }));
    await c.send(new BatchGetSecretValueCommand({ SecretIdList: ["app/token"] }));
    expect(emulator.requests.count("GetSecretValue")).toBe(2);
    expect(emulator.requests.snapshot()).toEqual({
      total: 3,
      byOperation: { GetSecretValue: 2, BatchGetSecretValue: 1 },
    });
  });

  it("the control API injects faults over HTTP", async () => {
    const res = await fetch(`${emulator.url}/__emulator/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ operation: "ListSecrets", error: "AccessDeniedException", times: 1 }),
    });
    expect(res.status).toBe(200);
    const err = await failure(client().send(new ListSecretsCommand({})));
    expect(err.name).toBe("AccessDeniedException");
    expect(err.message).toContain("secretsmanager:ListSecrets");
  });

  it("reset wipes moto's secrets", async () => {
    await emulator.reset();
    const out = await client().send(new ListSecretsCommand({}));
    expect(out.SecretList).toEqual([]);
    arns = await emulator.seed([{ name: "app/token", value: "tok-1" }]);
    const again = await client().send(new GetSecretValueCommand({ SecretId: "app/token" }));
    expect(again.SecretString).toBe("tok-1");
  });
});

describe("startMoto", () => {
  it("explains how to install moto when the interpreter cannot import it", async () => {
    await expect(startMoto({ python: "/nonexistent/python3" })).rejects.toThrow(
      /moto is not available.*pip install "moto\[server\]"/,
    );
  });

  it("answers /moto-api/ once started and is gone after stop", async () => {
    const moto = await startMoto();
    const res = await fetch(`${moto.url}/moto-api/`);
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    await moto.stop();
    await expect(fetch(`${moto.url}/moto-api/`)).rejects.toThrow();
  });
});
