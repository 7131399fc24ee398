import { isVaultlinkError, type UnresolvedReference, type Vault } from "@vaultlink/core";
import { prepareRequest } from "./request/resolve.js";
import { sendRequest } from "./request/send.js";
import type { VaultRequest } from "./request/types.js";

/** What became of one request. Never holds a value: URLs are as written, errors masked. */
export type FetchOutcome =
  | {
      outcome: "sent";
      status: number;
      statusText: string;
      /** Names of the vault secrets the request carried. */
      secrets: string[];
      /** A redirect not followed because the request carried secrets (masked). */
      redirectNotFollowed?: string;
    }
  | { outcome: "stopped"; unresolved: UnresolvedReference[] }
  | { outcome: "failed"; error: string; secrets: string[] };

export interface VaultFetchOptions {
  /** The fetch to send with (default: the global one). */
  fetch?: typeof globalThis.fetch;
  signal?: AbortSignal;
}

/**
 * Send one HTTP request whose URL, header values and body may hold `{{vault:name}}`
 * references. Each reference is resolved from the vault against the URL the request really
 * goes to; if any cannot be, the request is not sent and the outcome says why and how to fix
 * it. A request that carries secrets never follows a redirect.
 */
export async function vaultFetch(
  vault: Vault,
  request: VaultRequest,
  options: VaultFetchOptions = {},
): Promise<FetchOutcome> {
  const prepared = await prepareRequest(vault, request);
  if (!prepared.ok) return { outcome: "stopped", unresolved: prepared.unresolved.map(forThisHost) };
  const { secrets, mask } = prepared;
  try {
    const sent = await sendRequest(prepared.request, {
      carriesSecrets: secrets.length > 0,
      fetch: options.fetch ?? globalThis.fetch,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return {
      outcome: "sent",
      status: sent.status,
      statusText: sent.statusText,
      secrets,
      ...(sent.location && secrets.length > 0 ? { redirectNotFollowed: mask(sent.location) } : {}),
    };
  } catch (error) {
    return { outcome: "failed", error: mask(describe(error)), secrets };
  }
}

/** The outcome as printed lines, with the request as written (references, never values). */
export function formatOutcome(request: VaultRequest, r: FetchOutcome): string[] {
  const head = `${(request.method ?? "GET").toUpperCase()} ${request.url}`;
  switch (r.outcome) {
    case "sent": {
      const lines = [`✓ ${head} → ${r.status}${r.statusText ? ` ${r.statusText}` : ""}`];
      if (r.secrets.length > 0) lines.push(`  vault secrets sent: ${r.secrets.join(", ")}`);
      if (r.redirectNotFollowed) {
        lines.push(
          `  redirect to ${r.redirectNotFollowed} not followed (the request carries vault secrets)`,
        );
      }
      return lines;
    }
    case "stopped":
      return [
        `✗ ${head} (not sent)`,
        ...r.unresolved.flatMap((u) => [
          `  {{vault:${u.name}}} ${u.reason}: ${u.message}`,
          `    fix: ${u.fix}`,
        ]),
      ];
    case "failed":
      return [`✗ ${head} (no response)`, `  ${r.error}`];
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
