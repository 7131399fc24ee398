import { isVaultlinkError, type UnresolvedReference, type Vault } from "@vaultlink/core";
import { planRequests } from "./collection/items.js";
import type { PostmanCollection } from "./collection/types.js";
import { variablesFrom } from "./collection/variables.js";
import { prepareRequest } from "./request/resolve.js";
import { sendRequest } from "./request/send.js";
import { buildTemplate } from "./request/template.js";

export interface RunOptions {
  /** An unlocked vault. */
  vault: Vault;
  /** Called after each request with its (masked) result, e.g. to print progress. */
  onRequest?: (result: RequestResult) => void;
  /** Values that override collection and folder variables (like Postman's environment). */
  variables?: Record<string, string>;
  /** The fetch to send with. Default: Node's global fetch. */
  fetch?: typeof globalThis.fetch;
  /** Cancels the run; requests not yet sent are not sent. */
  signal?: AbortSignal;
}

interface ResultBase {
  name: string;
  /** Folder names from the collection root down to the request. */
  folders: string[];
  method: string;
  /** The URL with vault references as written (`{{vault:name}}`), never their values. */
  url: string;
}

export type RequestResult =
  | (ResultBase & {
      outcome: "sent";
      status: number;
      statusText: string;
      /** Names of the vault secrets the request carried. */
      secrets: string[];
      /** A redirect that was not followed because the request carried secrets (masked). */
      redirectNotFollowed?: string;
    })
  | (ResultBase & {
      /** A vault reference could not be resolved, so the request was not sent. */
      outcome: "stopped";
      unresolved: UnresolvedReference[];
    })
  | (ResultBase & {
      /** The request was sent (or tried) and no response came back. Message is masked. */
      outcome: "failed";
      error: string;
      secrets: string[];
    });

export interface RunSummary {
  total: number;
  sent: number;
  stopped: number;
  failed: number;
}

export interface RunResult {
  results: RequestResult[];
  summary: RunSummary;
  /** True when every request was sent (whatever its HTTP status). */
  ok: boolean;
}

/**
 * Run every request of a Postman collection in order, resolving `{{vault:…}}` references
 * per request against that request's own URL. A request with an unresolved reference is
 * not sent; the run goes on with the next one.
 */
export async function runCollection(
  collection: PostmanCollection,
  options: RunOptions,
): Promise<RunResult> {
  const send = options.fetch ?? globalThis.fetch;
  const results: RequestResult[] = [];
  for (const planned of planRequests(collection)) {
    if (options.signal?.aborted) break;
    const variables = variablesFrom(planned.variableScopes, options.variables);
    const template = buildTemplate(planned.request, variables);
    const base: ResultBase = {
      name: planned.name,
      folders: planned.folders,
      method: template.method,
      url: template.url,
    };
    const result = await runOne(options.vault, template, base, send, options.signal);
    results.push(result);
    options.onRequest?.(result);
  }
  const count = (o: RequestResult["outcome"]) => results.filter((r) => r.outcome === o).length;
  const summary = {
    total: results.length,
    sent: count("sent"),
    stopped: count("stopped"),
    failed: count("failed"),
  };
  return { results, summary, ok: summary.stopped === 0 && summary.failed === 0 };
}

async function runOne(
  vault: Vault,
  template: ReturnType<typeof buildTemplate>,
  base: ResultBase,
  send: typeof globalThis.fetch,
  signal: AbortSignal | undefined,
): Promise<RequestResult> {
  const prepared = await prepareRequest(vault, template);
  if (!prepared.ok)
    return { ...base, outcome: "stopped", unresolved: prepared.unresolved.map(forThisHost) };
  const { request, secrets, mask } = prepared;
  try {
    const sent = await sendRequest(request, {
      carriesSecrets: secrets.length > 0,
      fetch: send,
      ...(signal ? { signal } : {}),
    });
    return {
      ...base,
      outcome: "sent",
      status: sent.status,
      statusText: sent.statusText,
      secrets,
      ...(sent.location && secrets.length > 0 ? { redirectNotFollowed: mask(sent.location) } : {}),
    };
  } catch (error) {
    return { ...base, outcome: "failed", error: mask(describe(error)), secrets };
  }
}

/** Core's fix for this reason speaks to CLI users resolving one value; here a URL was given. */
function forThisHost(u: UnresolvedReference): UnresolvedReference {
  if (u.reason !== "domain-not-allowed") return u;
  return {
    ...u,
    fix: `allow the host: vaultlink secret domains ${u.name} --add <host>, or send the request to an allowed host`,
  };
}

function describe(error: unknown): string {
  if (isVaultlinkError(error)) return `${error.message}${error.hint ? ` ${error.hint}` : ""}`;
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
    return `${error.message}${cause}`;
  }
  return String(error);
}
