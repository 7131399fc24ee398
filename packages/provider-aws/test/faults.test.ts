import { DeleteSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { FetchRequest, FetchResult } from "@vaultlink/core/plugin";
import type { AwsEmulator } from "@vaultlink/emulators";
import { createTestContext } from "@vaultlink/testkit";
import { describe, expect, it } from "vitest";
import { readKeys, type StaticKeys } from "../src/session.js";
import { awsProvider, useAwsEmulator } from "./support/aws.js";

let emulator: AwsEmulator;
const INTEGRATION = "aws-work";

const aws = useAwsEmulator(async (started) => {
  emulator = started;
  await emulator.seed([
    { name: "faults/one", value: "fault-value-one" },
    { name: "faults/two", value: "fault-value-two" },
  ]);
});

const signedIn = (pluginOptions: Record<string, unknown> = { maxAttempts: 1 }) =>
  aws.signedIn({ pluginOptions, integrationId: INTEGRATION });

function requests(...names: string[]): FetchRequest[] {
  return names.map((name, i) => ({ id: `r${i}`, reference: awsProvider.parseReference(name) }));
}

function failures(results: FetchResult[]) {
  return results.map((r) => {
    if (r.ok) throw new Error(`request ${r.id} succeeded; a failure was expected`);
    return r;
  });
}

/** The one result of a one-request fetch, which must have failed. */
function onlyFailure(results: FetchResult[]) {
  const [failure] = failures(results);
  if (!failure || results.length !== 1) throw new Error("expected exactly one result");
  return failure;
}

const REAUTH = `run vaultlink integration reauth ${INTEGRATION}`;

describe("credential failures are AUTH_EXPIRED with the reauth hint", () => {
  it("after the emulator expires the key (ExpiredTokenException)", async () => {
    const { instance } = await signedIn();
    emulator.expireCredentials();
    for (const names of [["faults/one"], ["faults/one", "faults/two"]]) {
      for (const failure of failures(await instance.fetch(requests(...names)))) {
        expect(failure.code).toBe("AUTH_EXPIRED");
        expect(failure.hint).toBe(REAUTH);
        expect(failure.message).toContain("ExpiredTokenException");
      }
    }
  });

  for (const fault of ["UnrecognizedClientException", "InvalidSignatureException"] as const) {
    it(`on ${fault}`, async () => {
      const { instance } = await signedIn();
      emulator.inject({ error: fault });
      const failure = onlyFailure(await instance.fetch(requests("faults/one")));
      expect(failure).toMatchObject({ code: "AUTH_EXPIRED", hint: REAUTH });
    });
  }

  it("when the session's expiry has passed, without calling AWS", async () => {
    const { instance, context } = await signedIn();
    if (!context.session) throw new Error("signed in without a session");
    await context.saveSession({
      ...context.session,
      expiresAt: new Date(context.clock.now() + 60_000),
    });
    expect((await instance.fetch(requests("faults/one")))[0]?.ok).toBe(true);
    context.clock.advance(61_000);
    const failure = onlyFailure(await instance.fetch(requests("faults/one")));
    expect(failure).toMatchObject({ code: "AUTH_EXPIRED", hint: REAUTH });
    expect(emulator.requests.count("GetSecretValue")).toBe(1);
  });
});

describe("permission failures name the missing action", () => {
  it.each([
    ["AccessDeniedException", "secretsmanager:GetSecretValue"],
    ["DecryptionFailure", "kms:Decrypt"],
  ])("%s on GetSecretValue names %s", async (fault, action) => {
    const { instance } = await signedIn();
    emulator.inject({ operation: "GetSecretValue", error: fault });
    const failure = onlyFailure(await instance.fetch(requests("faults/one")));
    expect(failure.code).toBe("PERMISSION_DENIED");
    expect(failure.message).toContain(action);
    expect(failure.details).toMatchObject({ missingAction: action });
  });

  it("denied everywhere: the batch falls back, and the reads are denied too", async () => {
    const { instance } = await signedIn();
    emulator.inject({ error: "AccessDeniedException" });
    for (const failure of failures(await instance.fetch(requests("faults/one", "faults/two")))) {
      expect(failure.code).toBe("PERMISSION_DENIED");
      expect(failure.message).toContain("secretsmanager:GetSecretValue");
    }
    expect(emulator.requests.count("BatchGetSecretValue")).toBe(1);
    expect(emulator.requests.count("GetSecretValue")).toBe(2);
  });
});

describe("secrets that are gone", () => {
  it("a secret scheduled for deletion fails NOT_FOUND (moto's InvalidRequestException)", async () => {
    const { instance, session } = await signedIn();
    await emulator.seed([{ name: "faults/doomed", value: "x" }]);
    const sdk = new SecretsManagerClient({
      endpoint: emulator.url,
      region: emulator.region,
      credentials: readKeys(session.credentials) as StaticKeys,
    });
    await sdk.send(new DeleteSecretCommand({ SecretId: "faults/doomed", RecoveryWindowInDays: 7 }));
    sdk.destroy();
    const failure = onlyFailure(await instance.fetch(requests("faults/doomed")));
    expect(failure.code).toBe("NOT_FOUND");
    expect(failure.message).toContain("scheduled for deletion");
  });
});

describe("throttling", () => {
  it("is THROTTLED once the SDK's attempts are spent", async () => {
    const { instance } = await signedIn({ maxAttempts: 2 });
    emulator.inject({ error: "ThrottlingException" });
    const failure = onlyFailure(await instance.fetch(requests("faults/one")));
    expect(failure.code).toBe("THROTTLED");
    expect(emulator.requests.count("GetSecretValue")).toBe(2);
  });

  it("is retried with back-off by the SDK and succeeds within maxAttempts", async () => {
    const { instance } = await signedIn({ maxAttempts: 3 });
    emulator.inject({ operation: "BatchGetSecretValue", error: "ThrottlingException", times: 2 });
    const results = await instance.fetch(requests("faults/one", "faults/two"));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(emulator.requests.count("BatchGetSecretValue")).toBe(3);
  });
});

describe("answers that are not AWS's", () => {
  it("an HTML page in place of the JSON answer: one line saying so, nothing of the page", async () => {
    const { instance } = await signedIn();
    emulator.inject({
      operation: "GetSecretValue",
      error: {
        status: 502,
        headers: { "content-type": "text/html" },
        body: "<html><body>Proxy error {{request}}</body></html>",
        echoRequest: true,
      },
    });
    const failure = onlyFailure(await instance.fetch(requests("faults/one")));
    expect(failure.code).toBe("PROVIDER_ERROR");
    expect(failure.message).toBe(
      "The answer to secretsmanager:GetSecretValue for faults/one could not be read as an AWS response (HTTP 502).",
    );
    expect(failure.hint).toContain("proxy");
    expect(JSON.stringify(failure)).not.toMatch(/Proxy error|Signature=|\$response/);
  });
});

describe("network failures", () => {
  // Port 9 (discard) on loopback: nothing listens there, so connections are refused.
  const DEAD = { region: "us-east-1", endpoint: "http://127.0.0.1:9" };

  it("fail fetches UNREACHABLE", async () => {
    const { context } = await signedIn();
    const offline = await awsProvider.create({
      ...context,
      integration: { ...context.integration, settings: DEAD },
    });
    aws.track(offline);
    const failure = onlyFailure(await offline.fetch(requests("faults/one")));
    expect(failure.code).toBe("UNREACHABLE");
    expect(failure.message).toContain("ECONNREFUSED");
  });

  it("fail a fetch UNREACHABLE when an attempt outlasts requestTimeoutMs", async () => {
    const { instance } = await signedIn({ maxAttempts: 1, requestTimeoutMs: 200 });
    emulator.inject({ operation: "GetSecretValue", latencyMs: 5_000, times: 1 });
    const failure = onlyFailure(await instance.fetch(requests("faults/one")));
    expect(failure.code).toBe("UNREACHABLE");
    expect(failure.message).toContain("TimeoutError");
    const [again] = await instance.fetch(requests("faults/one"));
    expect(again).toMatchObject({ ok: true, value: "fault-value-one" });
  });

  it("fail a sign-in UNREACHABLE", async () => {
    const instance = await awsProvider.create(
      createTestContext({
        integration: { id: INTEGRATION, authMethod: "access-key", settings: DEAD },
      }),
    );
    aws.track(instance);
    const signIn = instance.authenticate({
      method: "access-key",
      settings: DEAD,
      secrets: { ...emulator.issueCredentials() },
    });
    await expect(signIn).rejects.toMatchObject({ code: "UNREACHABLE" });
  });
});
