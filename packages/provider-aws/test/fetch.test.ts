import type { FetchRequest, FetchResult } from "@vaultlink/core/plugin";
import type { AwsEmulator } from "@vaultlink/emulators";
import { describe, expect, it } from "vitest";
import { awsProvider, emulatorSettings, numberedSecrets, useAwsEmulator } from "./support/aws.js";

let emulator: AwsEmulator;

const batch20 = numberedSecrets("batch20", 20);
const batch45 = numberedSecrets("batch45", 45);
const fallback = numberedSecrets("fallback", 5);
const BINARY = new Uint8Array([0, 1, 2, 250, 251, 252, 253, 254, 255]);
let arns: { plain: string; binary: string; versioned: string };
let versionIds: { first: string; second: string };
const CHOSEN_VERSION_ID = "release-candidate-2026-12-04-000001";

const { signedIn } = useAwsEmulator(async (started) => {
  emulator = started;
  await emulator.seed([...batch20, ...batch45, ...fallback]);
  const [plain, binary] = await emulator.seed([
    { name: "single/plain", value: "plain-value-31" },
    { name: "single/binary", binary: BINARY },
  ]);
  const [versioned] = await emulator.seed([{ name: "rotating/key", value: "first-value" }]);
  const first = (await emulator.putSecretValue("rotating/key", { value: "first-value-again" }))
    .versionId;
  const second = (await emulator.putSecretValue("rotating/key", { value: "second-value" }))
    .versionId;
  // A labelled version that is not current, with a VersionId chosen by hand (not a UUID).
  await emulator.putSecretValue("rotating/key", {
    value: "release-value",
    stages: ["RELEASE"],
    versionId: CHOSEN_VERSION_ID,
  });
  arns = { plain: plain as string, binary: binary as string, versioned: versioned as string };
  versionIds = { first, second };
});

function requestsFor(references: string[], version?: string): FetchRequest[] {
  return references.map((reference, i) => ({
    id: `r${i}`,
    reference: awsProvider.parseReference(reference),
    ...(version ? { version } : {}),
  }));
}

function byId(results: FetchResult[]): Map<string, FetchResult> {
  return new Map(results.map((r) => [r.id, r]));
}

function fetchedValue(result: FetchResult | undefined): string | Uint8Array {
  if (!result?.ok)
    throw new Error(`expected a value, got ${result?.ok === false ? result.code : "nothing"}`);
  return result.value;
}

function failureOf(result: FetchResult | undefined) {
  if (!result || result.ok) throw new Error("expected a failure");
  return result;
}

describe("batching", () => {
  it("serves 20 linked secrets with one BatchGetSecretValue call", async () => {
    const { instance } = await signedIn();
    const results = byId(await instance.fetch(requestsFor(batch20.map((s) => s.name))));
    for (const [i, s] of batch20.entries())
      expect(fetchedValue(results.get(`r${i}`))).toBe(s.value);
    expect(emulator.requests.count("BatchGetSecretValue")).toBe(1);
    expect(emulator.requests.count("GetSecretValue")).toBe(0);
  });

  it("splits 45 secrets into 3 BatchGetSecretValue calls", async () => {
    const { instance } = await signedIn();
    const results = byId(await instance.fetch(requestsFor(batch45.map((s) => s.name))));
    for (const [i, s] of batch45.entries())
      expect(fetchedValue(results.get(`r${i}`))).toBe(s.value);
    expect(emulator.requests.count("BatchGetSecretValue")).toBe(3);
    expect(emulator.requests.count("GetSecretValue")).toBe(0);
  });

  it("runs batch calls in parallel, never more at once than the concurrency option", async () => {
    // 45 secrets are 3 batch calls; each is held so that calls allowed to overlap do.
    for (const [concurrency, peak] of [
      [1, 1],
      [2, 2],
      [8, 3],
    ] as const) {
      const { instance } = await signedIn({ pluginOptions: { maxAttempts: 1, concurrency } });
      emulator.inject({ operation: "BatchGetSecretValue", latencyMs: 300 });
      const results = byId(await instance.fetch(requestsFor(batch45.map((s) => s.name))));
      for (const [i, s] of batch45.entries())
        expect(fetchedValue(results.get(`r${i}`))).toBe(s.value);
      expect(emulator.requests.count("BatchGetSecretValue")).toBe(3);
      expect(emulator.requests.peakConcurrency("BatchGetSecretValue")).toBe(peak);
      emulator.clearFaults();
    }
  });

  it("reads a lone secret with GetSecretValue, which needs no batch permission", async () => {
    const { instance } = await signedIn();
    const results = byId(await instance.fetch(requestsFor(["single/plain"])));
    expect(fetchedValue(results.get("r0"))).toBe("plain-value-31");
    expect(emulator.requests.count("GetSecretValue")).toBe(1);
    expect(emulator.requests.count("BatchGetSecretValue")).toBe(0);
  });

  it("makes one read for requests of the same secret", async () => {
    const { instance } = await signedIn();
    const results = byId(await instance.fetch(requestsFor(["single/plain", "single/plain"])));
    expect(fetchedValue(results.get("r0"))).toBe("plain-value-31");
    expect(fetchedValue(results.get("r1"))).toBe("plain-value-31");
    expect(emulator.requests.count()).toBe(1);
  });

  it("fails only the missing secret of a batch, NOT_FOUND", async () => {
    const { instance } = await signedIn();
    const results = byId(
      await instance.fetch(requestsFor(["single/plain", "batch/missing", arns.binary])),
    );
    expect(fetchedValue(results.get("r0"))).toBe("plain-value-31");
    expect(failureOf(results.get("r1")).code).toBe("NOT_FOUND");
    expect(failureOf(results.get("r1")).message).toContain("batch/missing");
    expect(fetchedValue(results.get("r2"))).toEqual(BINARY);
    expect(emulator.requests.count("BatchGetSecretValue")).toBe(1);
  });

  it("falls back to GetSecretValue when BatchGetSecretValue is denied, and stays there", async () => {
    const { instance, context } = await signedIn();
    emulator.inject({ operation: "BatchGetSecretValue", error: "AccessDeniedException" });
    const names = fallback.map((s) => s.name);
    const results = byId(await instance.fetch(requestsFor(names)));
    for (const [i, s] of fallback.entries())
      expect(fetchedValue(results.get(`r${i}`))).toBe(s.value);
    expect(emulator.requests.count("BatchGetSecretValue")).toBe(1);
    expect(emulator.requests.count("GetSecretValue")).toBe(5);

    await instance.fetch(requestsFor(names));
    expect(emulator.requests.count("BatchGetSecretValue")).toBe(1);
    expect(emulator.requests.count("GetSecretValue")).toBe(10);
    expect(
      context.logger.lines.some((l) => l.message.includes("BatchGetSecretValue was denied")),
    ).toBe(true);
  });
  it("reads one by one when a batch is denied for one of its secrets, and batches again next time", async () => {
    const { instance } = await signedIn();
    // What a VPC endpoint policy denying one secret does: the whole batch call fails.
    emulator.inject({
      operation: "BatchGetSecretValue",
      times: 1,
      error: {
        status: 400,
        headers: { "content-type": "application/x-amz-json-1.1" },
        body: {
          __type: "AccessDeniedException",
          message:
            "User: arn:aws:iam::123456789012:user/test is not authorized to perform: " +
            "secretsmanager:GetSecretValue on resource: fallback/02 with an explicit deny in a VPC endpoint policy",
        },
      },
    });
    const names = fallback.map((s) => s.name);
    const results = byId(await instance.fetch(requestsFor(names)));
    for (const [i, s] of fallback.entries())
      expect(fetchedValue(results.get(`r${i}`))).toBe(s.value);
    expect(emulator.requests.count("GetSecretValue")).toBe(5);
    await instance.fetch(requestsFor(names));
    expect(emulator.requests.count("BatchGetSecretValue")).toBe(2);
    expect(emulator.requests.count("GetSecretValue")).toBe(5);
  });
});

describe("references", () => {
  it("uses an ARN's region over the integration's", async () => {
    // Seeded in us-east-1; the integration says eu-west-1, where moto has no such secret.
    const { instance } = await signedIn({ settings: emulatorSettings(emulator, "eu-west-1") });
    const results = byId(await instance.fetch(requestsFor([arns.plain, "single/plain"])));
    expect(fetchedValue(results.get("r0"))).toBe("plain-value-31");
    expect(failureOf(results.get("r1")).code).toBe("NOT_FOUND");
  });

  it("reads a binary secret as bytes, alone and in a batch", async () => {
    const { instance } = await signedIn();
    const alone = byId(await instance.fetch(requestsFor([arns.binary])));
    const value = fetchedValue(alone.get("r0"));
    expect(value).toBeInstanceOf(Uint8Array);
    expect(value).toEqual(BINARY);
    const batched = byId(await instance.fetch(requestsFor(["single/binary", "single/plain"])));
    expect(fetchedValue(batched.get("r0"))).toEqual(BINARY);
    expect(emulator.requests.count("BatchGetSecretValue")).toBe(1);
  });

  it("reports the VersionId it served when no version was asked for", async () => {
    const { instance } = await signedIn();
    const [result] = await instance.fetch(requestsFor(["rotating/key"]));
    expect(result).toMatchObject({ ok: true, value: "second-value", version: versionIds.second });
  });
});

describe("versions", () => {
  const cases: Array<[string, () => string, string]> = [
    ["a stage", () => "AWSPREVIOUS", "first-value-again"],
    ["AWSCURRENT", () => "AWSCURRENT", "second-value"],
    ["stage: prefix", () => "stage:AWSPREVIOUS", "first-value-again"],
    ["a UUID VersionId", () => versionIds.first, "first-value-again"],
    ["id: prefix", () => `id:${versionIds.second}`, "second-value"],
    ["a custom label", () => "RELEASE", "release-value"],
    ["a chosen VersionId with id:", () => `id:${CHOSEN_VERSION_ID}`, "release-value"],
  ];
  for (const [what, version, expected] of cases) {
    it(`fetches by ${what} with GetSecretValue`, async () => {
      const { instance } = await signedIn();
      const [result] = await instance.fetch(requestsFor([arns.versioned], version()));
      expect(result).toMatchObject({ ok: true, value: expected, version: version() });
      expect(emulator.requests.count("GetSecretValue")).toBe(1);
      expect(emulator.requests.count("BatchGetSecretValue")).toBe(0);
    });
  }

  it("reads many versioned requests one by one, never through the batch call", async () => {
    const { instance } = await signedIn();
    const requests = [
      ...requestsFor(["rotating/key"], "AWSPREVIOUS"),
      { ...requestsFor(["rotating/key"], versionIds.second)[0], id: "by-id" } as FetchRequest,
      { ...requestsFor(["single/plain"])[0], id: "plain" } as FetchRequest,
      { ...requestsFor(["single/binary"])[0], id: "binary" } as FetchRequest,
    ];
    const results = byId(await instance.fetch(requests));
    expect(fetchedValue(results.get("r0"))).toBe("first-value-again");
    expect(fetchedValue(results.get("by-id"))).toBe("second-value");
    expect(fetchedValue(results.get("plain"))).toBe("plain-value-31");
    expect(emulator.requests.count("GetSecretValue")).toBe(2);
    expect(emulator.requests.count("BatchGetSecretValue")).toBe(1);
  });

  it("fails a version that does not exist NOT_FOUND", async () => {
    const { instance } = await signedIn();
    const [result] = await instance.fetch(
      requestsFor(["rotating/key"], "00000000-0000-4000-8000-000000000000"),
    );
    expect(failureOf(result).code).toBe("NOT_FOUND");
    expect(failureOf(result).message).toBe(
      "The secret rotating/key has no version with VersionId 00000000-0000-4000-8000-000000000000.",
    );
  });

  it("says the version is missing, not the secret, for AWSPREVIOUS of a secret never changed", async () => {
    const { instance } = await signedIn();
    const [result] = await instance.fetch(requestsFor(["single/plain"], "AWSPREVIOUS"));
    const failed = failureOf(result);
    expect(failed.code).toBe("NOT_FOUND");
    expect(failed.message).toBe(
      "The secret single/plain has no version with staging label AWSPREVIOUS.",
    );
    expect(failed.hint).toMatch(/AWSPREVIOUS only once its value has changed/);
  });

  it("still says the secret is missing when it is, whatever the version", async () => {
    const { instance } = await signedIn();
    const [result] = await instance.fetch(requestsFor(["no/such-secret"], "AWSPREVIOUS"));
    const failed = failureOf(result);
    expect(failed.code).toBe("NOT_FOUND");
    expect(failed.message).toMatch(/^Secrets Manager has no secret for no\/such-secret/);
  });

  it("rejects an empty version INVALID_REFERENCE without a request", async () => {
    const { instance } = await signedIn();
    const [result] = await instance.fetch(requestsFor(["rotating/key"], "id:"));
    expect(failureOf(result).code).toBe("INVALID_REFERENCE");
    expect(emulator.requests.count()).toBe(0);
  });
});
