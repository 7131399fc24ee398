import {
  type FetchRequest,
  type FetchResult,
  failure,
  isVaultlinkError,
} from "@vaultlink/core/plugin";
import { type OnePasswordReference, referenceOf } from "./reference.js";

export interface ParsedRequest {
  id: string;
  ref: OnePasswordReference;
}

/**
 * Re-parse the requests' references (a stored link carries only its canonical string) and
 * split off the ones that no longer parse, each answered INVALID_REFERENCE.
 */
export function parseRequests(requests: readonly FetchRequest[]): {
  valid: ParsedRequest[];
  rejected: FetchResult[];
} {
  const valid: ParsedRequest[] = [];
  const rejected: FetchResult[] = [];
  for (const request of requests) {
    if (request.version !== undefined) {
      // 1Password references name no versions; answering the current value would be wrong.
      rejected.push(
        failure(
          request.id,
          "INVALID_REFERENCE",
          `1Password references have no versions; "${request.reference.canonical}" was asked for version "${request.version}".`,
        ),
      );
      continue;
    }
    try {
      valid.push({ id: request.id, ref: referenceOf(request.reference) });
    } catch (error) {
      const message = isVaultlinkError(error) ? error.message : "The reference is not valid.";
      rejected.push(failure(request.id, "INVALID_REFERENCE", message));
    }
  }
  return { valid, rejected };
}
