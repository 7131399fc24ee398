import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import nodeVault from "node-vault";
import { afterAll, beforeAll, beforeEach, expect } from "vitest";
import { type HashicorpEmulator, startHashicorpEmulator } from "../src/index.js";

/** This test file's emulator, once `useFrozenEmulator`'s beforeAll has run. */
export let emulator: HashicorpEmulator;

/**
 * Start the file's emulator before all tests and stop it after all. Its base clock is frozen:
 * only advanceClock moves time, so TTL assertions are exact. Before each test it is reset, then
 * `seed` sets up what the test starts from.
 */
export function useFrozenEmulator(seed: () => void): void {
  beforeAll(async () => {
    const frozen = Date.parse("2030-06-01T12:00:00Z");
    emulator = await startHashicorpEmulator({ now: () => frozen });
  });
  afterAll(async () => {
    await emulator?.stop();
  });
  beforeEach(() => {
    emulator.reset();
    seed();
  });
}

/** A real node-vault client for the emulator (LIST goes as GET ?list=1). */
export function vaultClient(
  emulator: HashicorpEmulator,
  options: { token?: string; namespace?: string } = {},
): nodeVault.client {
  return nodeVault({
    endpoint: emulator.url,
    apiVersion: "v1",
    noCustomHTTPVerbs: true,
    ...options,
  });
}

export interface VaultFailure extends Error {
  response?: { statusCode: number; body: unknown };
}

/** The error a node-vault call rejects with; fails the test when the call succeeds. */
export async function failure(promise: Promise<unknown>): Promise<VaultFailure> {
  try {
    await promise;
  } catch (error) {
    return error as VaultFailure;
  }
  throw new Error("expected the call to fail");
}

/** Assert the rejection is node-vault's ApiResponseError with this status; returns it. */
export async function apiError(promise: Promise<unknown>, status: number): Promise<VaultFailure> {
  const err = await failure(promise);
  expect(err.constructor.name).toBe("ApiResponseError");
  expect(err.response?.statusCode).toBe(status);
  return err;
}

export { unsignedJwt } from "./jwt.js";

export interface TestSigningKey {
  alg: "RS256" | "ES256";
  /** PEM (SPKI) for `jwt_validation_pubkeys`. */
  publicKeyPem: string;
  privateKey: KeyObject;
}

/** A fresh key pair to sign test JWTs with: RSA 2048 for RS256, P-256 for ES256. */
export function signingKey(alg: "RS256" | "ES256" = "RS256"): TestSigningKey {
  const pair =
    alg === "RS256"
      ? generateKeyPairSync("rsa", { modulusLength: 2048 })
      : generateKeyPairSync("ec", { namedCurve: "P-256" });
  return {
    alg,
    publicKeyPem: pair.publicKey.export({ type: "spki", format: "pem" }).toString(),
    privateKey: pair.privateKey,
  };
}

/** A compact JWS of these claims signed with node:crypto (ES256 signatures are r||s). */
export function signJwt(claims: Record<string, unknown>, key: TestSigningKey): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const input = `${part({ alg: key.alg, typ: "JWT" })}.${part(claims)}`;
  const signature =
    key.alg === "RS256"
      ? sign("sha256", Buffer.from(input), key.privateKey)
      : sign("sha256", Buffer.from(input), { key: key.privateKey, dsaEncoding: "ieee-p1363" });
  return `${input}.${signature.toString("base64url")}`;
}
