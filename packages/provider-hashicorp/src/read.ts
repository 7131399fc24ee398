import type { VaultResponse } from "./client.js";
import { isDenied, type VaultFailure } from "./errors.js";

/** What a denied request turned out to be: a policy, a replaced token (retry), or a failure. */
export type DenialVerdict = "policy" | "retry" | VaultFailure;

/** Reading from Vault: the read itself, and a way to tell a bad token from a policy. */
export interface VaultReader {
  read(path: string): Promise<VaultResponse>;
  classifyDenial(): Promise<DenialVerdict>;
  address: string;
}

/** A read whose 401/403, if any, has been classified. */
export type ReadOutcome =
  | { response: VaultResponse }
  /** The token is fine: a policy denies the path. */
  | { denied: "policy" }
  /** The token no longer works and could not be replaced. */
  | { failure: VaultFailure }
  /** Any other error, as node-vault threw it, for the caller to describe. */
  | { error: unknown };

/**
 * Read `path`. Vault answers 403 both for a bad token and for a policy, so a denial is
 * classified (lookup-self): a token that was replaced meanwhile gets one more try, a working
 * token means a policy denial, and a token that no longer works is its failure.
 */
export async function readClassified(
  reader: VaultReader,
  path: string,
  attempt = 0,
): Promise<ReadOutcome> {
  try {
    return { response: await reader.read(path) };
  } catch (error) {
    if (!isDenied(error)) return { error };
    const verdict = await reader.classifyDenial();
    if (verdict === "retry" && attempt === 0) return readClassified(reader, path, 1);
    if (verdict === "policy" || verdict === "retry") return { denied: "policy" };
    return { failure: verdict };
  }
}
