import type { FetchRequest, FetchResult } from "@vaultlink/core/plugin";
import type { AwsEmulator } from "@vaultlink/emulators";
import { describe, expect, it } from "vitest";
import { ROLE_REFRESH_MARGIN_MS } from "../src/role-sessions.js";
import { awsProvider, numberedSecrets, useAwsEmulator } from "./support/aws.js";

let emulator: AwsEmulator;

const READER = "arn:aws:iam::123456789012:role/secrets-reader";
const OPS = "arn:aws:iam::123456789012:role/team/ops-reader";
const readerSecrets = numberedSecrets("role-reader", 50);
const opsSecrets = numberedSecrets("role-ops", 50);
const ownSecrets = numberedSecrets("role-own", 3);

const { signedIn } = useAwsEmulator(async (started) => {
  emulator = started;
  await emulator.seed([...readerSecrets, ...opsSecrets, ...ownSecrets]);
});

function requestsFor(names: string[], roleArn?: string, prefix = "r"): FetchRequest[] {
  return names.map((name, i) => ({
    id: `${prefix}${i}`,
    reference: awsProvider.parseReference(name),
    ...(roleArn ? { options: { roleArn } } : {}),
  }));
}

function values(results: FetchResult[]): Map<string, string | Uint8Array | undefined> {
  return new Map(results.map((r) => [r.id, r.ok ? r.value : undefined]));
}

/** A moto STS error in the query protocol's XML, sent raw by the fault layer. */
function assumeRoleDenied(roleArn: string) {
  return {
    status: 403,
    headers: { "content-type": "text/xml" },
    body:
      `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>` +
      `<Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/alice is not authorized ` +
      `to perform: sts:AssumeRole on resource: ${roleArn}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`,
  };
}

describe("a role per linked secret", () => {
  it("reads 100 secrets across two roles with one AssumeRole and the fewest batch calls per role", async () => {
    const { instance } = await signedIn();
    const requests = [
      ...requestsFor(
        readerSecrets.map((s) => s.name),
        READER,
        "reader",
      ),
      ...requestsFor(
        opsSecrets.map((s) => s.name),
        OPS,
        "ops",
      ),
    ];
    const results = values(await instance.fetch(requests));
    for (const [i, s] of readerSecrets.entries()) expect(results.get(`reader${i}`)).toBe(s.value);
    for (const [i, s] of opsSecrets.entries()) expect(results.get(`ops${i}`)).toBe(s.value);
    // 50 secrets per role = 3 calls of at most 20; batches never mix roles.
    expect(emulator.requests.count("AssumeRole")).toBe(2);
    expect(emulator.requests.count("BatchGetSecretValue")).toBe(6);
    expect(emulator.requests.count("GetSecretValue")).toBe(0);
  });

  it("keeps each role's session across fetches and assumes it again shortly before it expires", async () => {
    const { instance, context } = await signedIn();
    const names = readerSecrets.slice(0, 2).map((s) => s.name);
    await instance.fetch(requestsFor(names, READER));
    await instance.fetch(requestsFor(names, READER));
    expect(emulator.requests.count("AssumeRole")).toBe(1);
    // moto's role sessions last an hour (AWS's default DurationSeconds).
    context.clock.advance(60 * 60_000 - ROLE_REFRESH_MARGIN_MS - 60_000);
    await instance.fetch(requestsFor(names, READER));
    expect(emulator.requests.count("AssumeRole")).toBe(1);
    context.clock.advance(2 * 60_000);
    const results = values(await instance.fetch(requestsFor(names, READER)));
    expect(results.get("r0")).toBe(readerSecrets[0]?.value);
    expect(emulator.requests.count("AssumeRole")).toBe(2);
  });

  it("serves secrets without a role with the integration's keys, next to a role's", async () => {
    const { instance } = await signedIn();
    const results = values(
      await instance.fetch([
        ...requestsFor(
          ownSecrets.map((s) => s.name),
          undefined,
          "own",
        ),
        ...requestsFor([readerSecrets[0]?.name as string], READER, "reader"),
      ]),
    );
    for (const [i, s] of ownSecrets.entries()) expect(results.get(`own${i}`)).toBe(s.value);
    expect(results.get("reader0")).toBe(readerSecrets[0]?.value);
    expect(emulator.requests.count("AssumeRole")).toBe(1);
    expect(emulator.requests.count("BatchGetSecretValue")).toBe(1);
    expect(emulator.requests.count("GetSecretValue")).toBe(1);
  });

  it("fails only that role's secrets when sts:AssumeRole is denied, naming the role and the permission", async () => {
    const { instance } = await signedIn();
    emulator.inject({ operation: "AssumeRole", times: 1, error: assumeRoleDenied(OPS) });
    const results = await instance.fetch([
      ...requestsFor(
        opsSecrets.slice(0, 3).map((s) => s.name),
        OPS,
        "ops",
      ),
      ...requestsFor([ownSecrets[0]?.name as string], undefined, "own"),
    ]);
    const own = results.find((r) => r.id === "own0");
    expect(own).toMatchObject({ ok: true, value: ownSecrets[0]?.value });
    const denied = results.filter((r) => r.id.startsWith("ops"));
    expect(denied).toHaveLength(3);
    for (const result of denied) {
      expect(result).toMatchObject({
        ok: false,
        code: "PERMISSION_DENIED",
        message: expect.stringContaining(
          `Access denied for role ${OPS}: the identity lacks sts:AssumeRole.`,
        ),
        hint: `Allow sts:AssumeRole on ${OPS} in the integration identity's IAM policy, and trust that identity in the role's trust policy.`,
      });
    }
    expect(
      emulator.requests.count("GetSecretValue") + emulator.requests.count("BatchGetSecretValue"),
    ).toBe(1);
    // A denial is not kept: once allowed, the next fetch assumes the role and reads.
    const again = values(
      await instance.fetch(
        requestsFor(
          opsSecrets.slice(0, 3).map((s) => s.name),
          OPS,
        ),
      ),
    );
    expect(again.get("r2")).toBe(opsSecrets[2]?.value);
    expect(emulator.requests.count("AssumeRole")).toBe(2);
  });

  it("names the role for the emulator's own AccessDenied fault on AssumeRole too", async () => {
    const { instance } = await signedIn();
    emulator.inject({ operation: "AssumeRole", times: 1, error: "AccessDeniedException" });
    const [result] = await instance.fetch(requestsFor([readerSecrets[0]?.name as string], READER));
    expect(result).toMatchObject({
      ok: false,
      code: "PERMISSION_DENIED",
      details: { missingAction: "sts:AssumeRole", roleArn: READER },
    });
  });

  it("marks the integration expired when its own keys cannot assume the role", async () => {
    const { instance } = await signedIn();
    emulator.expireCredentials();
    const [result] = await instance.fetch(requestsFor([readerSecrets[0]?.name as string], READER));
    expect(result).toMatchObject({ ok: false, code: "AUTH_EXPIRED" });
  });
});

describe("--role-arn at link time", () => {
  it.each([
    "arn:aws:iam::123456789012:user/alice",
    "arn:aws:iam::12345:role/short-account",
    "arn:aws:sts::123456789012:assumed-role/reader/session",
    "secrets-reader",
    "arn:aws:iam::123456789012:role/",
  ])("refuses %s INVALID_REFERENCE, naming the form", (roleArn) => {
    expect(() => awsProvider.parseLinkOptions?.({ roleArn })).toThrow(
      expect.objectContaining({
        code: "INVALID_REFERENCE",
        hint: expect.stringContaining("arn:aws:iam::<12-digit account>:role/<name>"),
      }),
    );
  });

  it.each([READER, OPS, "arn:aws-cn:iam::123456789012:role/cn-reader"])("accepts %s", (roleArn) => {
    expect(awsProvider.parseLinkOptions?.({ roleArn })).toEqual({ roleArn });
  });

  it("declares roleArn as its one link option", () => {
    expect(awsProvider.linkOptions?.map((o) => o.name)).toEqual(["roleArn"]);
  });
});
