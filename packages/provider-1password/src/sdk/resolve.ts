import type { Client } from "@1password/sdk";
import { type FetchResult, failure, failureFrom } from "@vaultlink/core/plugin";
import { mapResolveError } from "../errors.js";
import { cacheHint, type OnePasswordReference } from "../reference.js";

export interface SdkRequest {
  id: string;
  ref: OnePasswordReference;
}

/**
 * Resolve every reference with ONE `secrets.resolveAll` call; the SDK answers per reference,
 * keyed by the reference string. Identical references are sent once. Whole-call failures
 * (expired sign-in, rate limit, network) are thrown for the caller to map.
 */
export async function resolveWithSdk(
  client: Client,
  requests: readonly SdkRequest[],
): Promise<FetchResult[]> {
  const references = [...new Set(requests.map((r) => r.ref.canonical))];
  const { individualResponses } = await client.secrets.resolveAll(references);
  return requests.map(({ id, ref }) => {
    const answer = Object.hasOwn(individualResponses, ref.canonical)
      ? individualResponses[ref.canonical]
      : undefined;
    if (answer?.content && typeof answer.content.secret === "string") {
      return { id, ok: true, value: answer.content.secret, ...cacheHint(ref) };
    }
    if (answer?.error) {
      const mapped = mapResolveError(ref, answer.error);
      return failureFrom(id, mapped);
    }
    return failure(id, "PROVIDER_ERROR", `1Password's answer did not include "${ref.canonical}".`);
  });
}
