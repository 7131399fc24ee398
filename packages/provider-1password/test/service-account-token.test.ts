import { createServer } from "node:net";
import * as sdk from "@1password/sdk";
import { isVaultlinkError, type VaultlinkError } from "@vaultlink/core/plugin";
import { createTestContext } from "@vaultlink/testkit";
import { describe, expect, it } from "vitest";
import provider, { checkServiceAccountToken, SDK_CLIENT_FACTORY_OPTION } from "../src/index.js";
import { createFakeOnePassword } from "./helpers/fake-onepassword.js";
import { fabricateServiceAccountToken } from "./helpers/token.js";

const encode = (payload: unknown) =>
  `ops_${Buffer.from(JSON.stringify(payload)).toString("base64url")}`;
const good = () =>
  JSON.parse(Buffer.from(fabricateServiceAccountToken().slice(4), "base64url").toString());

/** Malformed tokens, each with the part of the message that names what is wrong. */
const MALFORMED: [string, string, RegExp][] = [
  ["empty", "", /empty/],
  [
    "a Connect token",
    "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl",
    /does not start with "ops_"/,
  ],
  ["not base64url", "ops_abc$def", /base64url/],
  ["truncated", fabricateServiceAccountToken().slice(0, 60), /does not decode to JSON/],
  ["a JSON array", encode([1, 2]), /not a JSON object/],
  [
    "no signInAddress",
    fabricateServiceAccountToken({}, { omit: ["signInAddress"] }),
    /signInAddress/,
  ],
  ["no email", fabricateServiceAccountToken({}, { omit: ["email"] }), /email/],
  ["no muk", fabricateServiceAccountToken({}, { omit: ["muk"] }), /muk/],
  ["no secretKey", fabricateServiceAccountToken({}, { omit: ["secretKey"] }), /secretKey/],
  [
    "iterations as text",
    encode({ ...good(), userAuth: { ...good().userAuth, iterations: "9" } }),
    /userAuth/,
  ],
  ["throttleSecret as text", encode({ ...good(), throttleSecret: "seed" }), /throttleSecret/],
];

function refusal(token: string): VaultlinkError {
  try {
    checkServiceAccountToken(token);
  } catch (error) {
    if (isVaultlinkError(error)) return error;
    throw error;
  }
  throw new Error("the token was accepted");
}

async function sdkFormatError(token: string): Promise<string> {
  try {
    await sdk.createClient({ auth: token, integrationName: "test", integrationVersion: "0" });
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error("createClient accepted the token");
}

describe("service account token form, checked offline", () => {
  it("accepts a token of the form 1Password issues and reads its sign-in address", () => {
    const token = fabricateServiceAccountToken({ signInAddress: "acme.1password.eu" });
    expect(checkServiceAccountToken(token)).toEqual({ signInAddress: "acme.1password.eu" });
    expect(checkServiceAccountToken(`  ${token}\n`).signInAddress).toBe("acme.1password.eu");
  });

  it("tolerates members it does not know and a token without throttleSecret", () => {
    expect(() => checkServiceAccountToken(encode({ ...good(), newMember: 1 }))).not.toThrow();
    expect(() =>
      checkServiceAccountToken(fabricateServiceAccountToken({}, { omit: ["throttleSecret"] })),
    ).not.toThrow();
  });

  it.each(MALFORMED)(
    "refuses %s with AUTH_FAILED naming the problem, never the token",
    (_, token, why) => {
      const error = refusal(token);
      expect(error.code).toBe("AUTH_FAILED");
      expect(error.message).toMatch(/^The service account token is not in 1Password's format/);
      expect(error.message).toMatch(why);
      expect(error.hint).toMatch(/ops_/);
      for (const text of [error.message, error.hint ?? ""]) {
        if (token.length > 8) expect(text).not.toContain(token.slice(4, 20));
      }
    },
  );

  it.each(MALFORMED.filter(([name]) => name !== "empty"))(
    "the SDK's own deserializer refuses %s too",
    async (_, token) => {
      expect(await sdkFormatError(token)).toMatch(/invalid/i);
    },
  );

  it("refuses a malformed token at sign-in without building a client", async () => {
    const fake = createFakeOnePassword([]);
    const ctx = createTestContext({
      integration: { authMethod: "service-account" },
      pluginOptions: { [SDK_CLIENT_FACTORY_OPTION]: fake.factory },
    });
    const instance = await provider.create(ctx);
    const token = fabricateServiceAccountToken({}, { omit: ["muk"] });
    await expect(
      instance.authenticate({ method: "service-account", settings: {}, secrets: { token } }),
    ).rejects.toMatchObject({ code: "AUTH_FAILED", message: expect.stringMatching(/muk/) });
    expect(fake.configs).toHaveLength(0);
  });

  it("a token that passes the check also passes the real SDK's, which then goes to the network", async () => {
    // Point the token at a closed local port: the real SDK (no factory) accepts the form and
    // fails to connect, which must surface as UNREACHABLE.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const { port } = probe.address() as { port: number };
    await new Promise((resolve) => probe.close(resolve));
    const token = fabricateServiceAccountToken({ signInAddress: `127.0.0.1:${port}` });
    const instance = await provider.create(
      createTestContext({ integration: { authMethod: "service-account" } }),
    );
    const error = await instance
      .authenticate({ method: "service-account", settings: {}, secrets: { token } })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(isVaultlinkError(error) && error.code).toBe("UNREACHABLE");
    expect((error as VaultlinkError).message).not.toContain(token.slice(4, 24));
    await instance.dispose();
  });
});
