import { isVaultlinkError, type VaultlinkError } from "@vaultlink/core/plugin";

/**
 * The VaultlinkError `promise` rejects with, for assertions on its code, message and hint.
 * Fails the test when the promise resolves, and rethrows anything that is not a
 * VaultlinkError (an SDK error leaking through is a defect worth seeing whole).
 */
export async function vaultlinkRejection(promise: Promise<unknown>): Promise<VaultlinkError> {
  try {
    await promise;
  } catch (error) {
    if (isVaultlinkError(error)) return error;
    throw error;
  }
  throw new Error("Expected the call to reject with a VaultlinkError, but it resolved.");
}
