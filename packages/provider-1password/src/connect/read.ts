import type { OPConnect } from "@1password/connect";
import {
  type FetchResult,
  failureFrom,
  mapWithConcurrency,
  retryWhileThrottled,
  type ThrottleRetry,
} from "@vaultlink/core/plugin";
import { isConnectRateLimit, type MappedError, mapConnectError } from "../errors.js";
import { cacheHint, type OnePasswordReference } from "../reference.js";
import { pickValue } from "./fields.js";

export interface ConnectRequest {
  id: string;
  ref: OnePasswordReference;
}

interface ItemGroup {
  vault: string;
  item: string;
  requests: ConnectRequest[];
}

class LookupError extends Error {
  constructor(readonly mapped: MappedError) {
    super(mapped.message);
  }
}

/**
 * Read the requested fields through a Connect server: each vault is looked up once, each item
 * read once and shared by all of its fields, with at most `concurrency` items in flight. A
 * rate-limited (429) lookup is retried with backoff before it fails THROTTLED.
 * Failures are reported per request; nothing is thrown.
 */
export async function readWithConnect(
  op: OPConnect,
  options: { host: string; concurrency: number; backoff: ThrottleRetry },
  requests: readonly ConnectRequest[],
): Promise<FetchResult[]> {
  const patiently = <T>(call: () => Promise<T>) =>
    retryWhileThrottled(call, isConnectRateLimit, options.backoff);
  const groups = new Map<string, ItemGroup>();
  for (const request of requests) {
    // Names match without regard to case, so "Dev/API" and "dev/api" are one item read.
    const key = `${request.ref.vault.toLowerCase()}/${request.ref.item.toLowerCase()}`;
    const group = groups.get(key);
    if (group) group.requests.push(request);
    else groups.set(key, { vault: request.ref.vault, item: request.ref.item, requests: [request] });
  }

  const vaults = new Map<string, Promise<string>>();
  const vaultId = (vault: string): Promise<string> => {
    const key = vault.toLowerCase();
    let pending = vaults.get(key);
    if (!pending) {
      pending = patiently(() => op.getVault(vault)).then(
        (found) => {
          if (!found?.id) throw new Error("the Connect server returned a vault without an id");
          return found.id;
        },
        (error: unknown) => {
          throw new LookupError(mapConnectError(error, { host: options.host, vault }, "fetch"));
        },
      );
      vaults.set(key, pending);
    }
    return pending;
  };

  const answered = await mapWithConcurrency(
    [...groups.values()],
    options.concurrency,
    async (group): Promise<FetchResult[]> => {
      try {
        const id = await vaultId(group.vault);
        const item = await patiently(() => op.getItem(id, group.item)).catch((error: unknown) => {
          const target = { host: options.host, vault: group.vault, item: group.item };
          throw new LookupError(mapConnectError(error, target, "fetch"));
        });
        return group.requests.map(({ id: requestId, ref }) => {
          const picked = pickValue(item, ref);
          if (picked.ok) {
            return { id: requestId, ok: true as const, value: picked.value, ...cacheHint(ref) };
          }
          return failureFrom(requestId, picked);
        });
      } catch (error) {
        const mapped =
          error instanceof LookupError
            ? error.mapped
            : mapConnectError(
                error,
                { host: options.host, vault: group.vault, item: group.item },
                "fetch",
              );
        return group.requests.map(({ id }) => failureFrom(id, mapped));
      }
    },
  );
  return answered.flat();
}
