import nodeVault from "node-vault";
import { expect } from "vitest";
import type { HashicorpEmulator } from "../src/index.js";

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
