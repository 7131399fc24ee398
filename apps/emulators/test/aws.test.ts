import {
  BatchGetSecretValueCommand,
  DecryptionFailure,
  DeleteSecretCommand,
  GetSecretValueCommand,
  InternalServiceError,
  InvalidParameterException,
  InvalidRequestException,
  LimitExceededException,
  ListSecretsCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
  type SecretsManagerClientConfig,
  SecretsManagerServiceException,
} from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type AwsCredentials,
  type AwsEmulator,
  startAwsEmulator,
  startMoto,
} from "../src/index.js";

let emulator: AwsEmulator;
let arns: string[];

function clientWith(
  credentials: AwsCredentials,
  config: Partial<SecretsManagerClientConfig> = {},
): SecretsManagerClient {
  return new SecretsManagerClient({
    endpoint: emulator.url,
    region: "us-east-1",
    credentials,
    maxAttempts: 1,
    ...config,
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

  it("a stage no version carries is named as Secrets Manager names it, not as a missing secret", async () => {
    // app/token has one version: no AWSPREVIOUS yet.
    const stage = await failure(
      client().send(
        new GetSecretValueCommand({ SecretId: "app/token", VersionStage: "AWSPREVIOUS" }),
      ),
    );
    expect(stage).toBeInstanceOf(ResourceNotFoundException);
    expect(stage.$metadata.httpStatusCode).toBe(400);
    expect(stage.message).toBe(
      "Secrets Manager can't find the specified secret value for staging label: AWSPREVIOUS",
    );
    const id = await failure(
      client().send(
        new GetSecretValueCommand({
          SecretId: "app/token",
          VersionId: "00000000-0000-4000-8000-000000000000",
        }),
      ),
    );
    expect(id.message).toMatch(/can't find the specified secret value for VersionId/);
    const secret = await failure(
      client().send(
        new GetSecretValueCommand({ SecretId: "app/none", VersionStage: "AWSPREVIOUS" }),
      ),
    );
    expect(secret).toBeInstanceOf(ResourceNotFoundException);
    expect(secret.message).toBe("Secrets Manager can't find the specified secret.");
  });

  it("putSecretValue can label the new version and choose its VersionId", async () => {
    const versionId = "release-2026-12-candidate-000000001";
    await emulator.putSecretValue("app/token", { value: "tok-rc", stages: ["RC"], versionId });
    const byLabel = await client().send(
      new GetSecretValueCommand({ SecretId: "app/token", VersionStage: "RC" }),
    );
    expect(byLabel).toMatchObject({ SecretString: "tok-rc", VersionId: versionId });
    const byId = await client().send(
      new GetSecretValueCommand({ SecretId: "app/token", VersionId: versionId }),
    );
    expect(byId.SecretString).toBe("tok-rc");
    // The current version did not move.
    const current = await client().send(new GetSecretValueCommand({ SecretId: "app/token" }));
    expect(current.SecretString).toBe("tok-1");
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

  // Section A.3's table, row by row: the class the SDK throws (its modeled class, or the base
  // class with `name` set), `$fault`, the status, and whether the SDK retries it.
  const ERROR_ROWS: Array<
    [string, number, (new (...args: never[]) => Error) | undefined, "client" | "server", boolean]
  > = [
    ["ResourceNotFoundException", 400, ResourceNotFoundException, "client", false],
    ["DecryptionFailure", 400, DecryptionFailure, "client", false],
    ["InternalServiceError", 500, InternalServiceError, "server", true],
    ["AccessDeniedException", 400, undefined, "client", false],
    ["ExpiredTokenException", 400, undefined, "client", false],
    ["UnrecognizedClientException", 400, undefined, "client", false],
    ["InvalidSignatureException", 400, undefined, "client", false],
    ["ThrottlingException", 400, undefined, "client", true],
    ["LimitExceededException", 400, LimitExceededException, "client", true],
  ];

  it.each(ERROR_ROWS)(
    "an injected %s is status %i, its SDK class, and retried only when the SDK says so",
    async (fault, status, modeled, side, retried) => {
      emulator.inject({ operation: "GetSecretValue", error: fault, times: 1 });
      const err = await failure(
        client().send(new GetSecretValueCommand({ SecretId: "app/token" })),
      );
      expect(err).toBeInstanceOf(SecretsManagerServiceException);
      expect(err.name).toBe(fault);
      if (modeled) expect(err).toBeInstanceOf(modeled);
      else expect(err.constructor).toBe(SecretsManagerServiceException);
      expect(err.$fault).toBe(side);
      expect(err.$metadata.httpStatusCode).toBe(status);

      // One injected failure, two attempts allowed: a retried error is invisible to the caller.
      emulator.requests.reset();
      emulator.inject({ operation: "GetSecretValue", error: fault, times: 1 });
      const twice = clientWith(emulator.issueCredentials(), { maxAttempts: 2 });
      const call = twice.send(new GetSecretValueCommand({ SecretId: "app/token" }));
      if (retried) expect((await call).SecretString).toBe("tok-1");
      else expect((await failure(call)).name).toBe(fault);
      expect(emulator.requests.count("GetSecretValue")).toBe(retried ? 2 : 1);
    },
  );

  it.each([
    ["ExpiredTokenException", "The security token included in the request is expired"],
    ["UnrecognizedClientException", "The security token included in the request is invalid."],
    ["AccessDeniedException", "secretsmanager:GetSecretValue on resource: app/token"],
    ["ThrottlingException", "Rate exceeded"],
    ["InternalServiceError", "An error occurred on the server side."],
  ])("an injected %s carries the service's message", async (fault, message) => {
    emulator.inject({ operation: "GetSecretValue", error: fault, times: 1 });
    const err = await failure(client().send(new GetSecretValueCommand({ SecretId: "app/token" })));
    expect(err.message).toContain(message);
  });

  it("a secret scheduled for deletion is moto's InvalidRequestException", async () => {
    await emulator.seed([{ name: "app/doomed", value: "x" }]);
    await client().send(
      new DeleteSecretCommand({ SecretId: "app/doomed", RecoveryWindowInDays: 7 }),
    );
    const err = await failure(client().send(new GetSecretValueCommand({ SecretId: "app/doomed" })));
    expect(err).toBeInstanceOf(InvalidRequestException);
    expect(err.$fault).toBe("client");
    expect(err.$metadata.httpStatusCode).toBe(400);
  });

  it("a batch call with both SecretIdList and Filters is moto's InvalidParameterException", async () => {
    const err = await failure(
      client().send(
        new BatchGetSecretValueCommand({
          SecretIdList: ["app/token"],
          Filters: [{ Key: "name", Values: ["app"] }],
        }),
      ),
    );
    expect(err).toBeInstanceOf(InvalidParameterException);
    expect(err.$fault).toBe("client");
  });

  it("latency injection holds the answer past the SDK's request timeout, once", async () => {
    const impatient = clientWith(emulator.issueCredentials(), {
      requestHandler: { requestTimeout: 200, throwOnRequestTimeout: true },
    });
    emulator.inject({ operation: "GetSecretValue", latencyMs: 5_000, times: 1 });
    const err = await failure(impatient.send(new GetSecretValueCommand({ SecretId: "app/token" })));
    expect(err.name).toBe("TimeoutError");
    const again = await impatient.send(new GetSecretValueCommand({ SecretId: "app/token" }));
    expect(again.SecretString).toBe("tok-1");
    expect(emulator.requests.count("GetSecretValue")).toBe(2);
  });

  it("counts how many requests were in flight at once", async () => {
    emulator.inject({ operation: "GetSecretValue", latencyMs: 300 });
    const c = client();
    await Promise.all(
      [1, 2, 3].map(() => c.send(new GetSecretValueCommand({ SecretId: "app/token" }))),
    );
    await c.send(new GetSecretValueCommand({ SecretId: "app/token" }));
    expect(emulator.requests.peakConcurrency("GetSecretValue")).toBe(3);
    expect(emulator.requests.peakConcurrency()).toBe(3);
    expect(emulator.requests.count("GetSecretValue")).toBe(4);
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
