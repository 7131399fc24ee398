import {
  type FetchRequest,
  type FetchResult,
  failureFrom,
  mapWithConcurrency,
} from "@vaultlink/core/plugin";
import type { ServiceClient } from "./client.js";
import { mapServiceError } from "./errors.js";
import type { ServiceReference } from "./reference.js";

export interface FetchContext {
  client: ServiceClient;
  token: string;
  integration: string;
  /** Reads in flight at once (core's `ctx.concurrency`, else the default). */
  concurrency: number;
  requestTimeoutMs: number;
  /** Core's deadline for the whole call. */
  signal?: AbortSignal;
}

/**
 * One result per request, in any order. Requests for the same secret share one read; reads run
 * with at most `concurrency` in flight. A failed read fails only its own requests.
 */
export async function fetchSecrets(
  requests: readonly FetchRequest[],
  ctx: FetchContext,
): Promise<FetchResult[]> {
  const byName = new Map<string, string[]>();
  for (const request of requests) {
    const { name } = request.reference as ServiceReference;
    const ids = byName.get(name);
    if (ids) ids.push(request.id);
    else byName.set(name, [request.id]);
  }
  const answered = await mapWithConcurrency([...byName], ctx.concurrency, ([name, ids]) =>
    readOne(name, ids, ctx),
  );
  return answered.flat();
}

async function readOne(name: string, ids: string[], ctx: FetchContext): Promise<FetchResult[]> {
  try {
    const value = await ctx.client.readSecret(ctx.token, name, ctx.signal);
    return ids.map((id) => ({ id, ok: true as const, value }));
  } catch (error) {
    // Core's deadline passed: core reports it the same way for every provider.
    if (ctx.signal?.aborted) throw error;
    const mapped = mapServiceError(error, {
      phase: "fetch",
      integration: ctx.integration,
      host: ctx.client.host,
      name,
      requestTimeoutMs: ctx.requestTimeoutMs,
    });
    return ids.map((id) => failureFrom(id, mapped));
  }
}
