import {
  findReferences,
  maskText,
  substitute,
  type UnresolvedReference,
  type Vault,
} from "@vaultlink/core";
import type { VaultRequest, WireRequest } from "./types.js";

export type Prepared =
  | {
      ok: true;
      /** The request as it goes on the wire. Holds secret values: never print it. */
      request: WireRequest;
      /** Names of the vault secrets the request carries. */
      secrets: string[];
      /** Replaces every resolved value in a text, for anything printed about this request. */
      mask: (text: string) => string;
    }
  | { ok: false; unresolved: UnresolvedReference[] };

/**
 * Resolve the vault references of one request, checking allowed domains against the URL the
 * request will really go to: first the references in the URL (checked against the URL as
 * written), then those in headers and body (checked against the resolved URL). One
 * unresolved reference stops the whole request.
 */
export async function prepareRequest(vault: Vault, given: VaultRequest): Promise<Prepared> {
  const values = new Map<string, string>();
  const template = {
    method: (given.method ?? "GET").toUpperCase(),
    url: given.url,
    headers: Object.entries(given.headers ?? {}),
    ...(given.body !== undefined ? { body: given.body } : {}),
  };

  const urlNames = findReferences(template.url);
  const urlResults = await vault.resolveMany(urlNames, { url: template.url });
  const urlProblems = collect(urlResults, values);
  if (urlProblems.length > 0) return { ok: false, unresolved: urlProblems };
  const url = substitute(template.url, values);
  // A value inside the URL can move its host (`https://{{vault:user}}@api.example.com`);
  // then every URL secret is checked again against where the request really goes.
  if (urlNames.length > 0 && target(url) !== target(template.url)) {
    const again = collect(await vault.resolveMany(urlNames, { url }), new Map());
    if (again.length > 0) return { ok: false, unresolved: again };
  }

  const rest = [...template.headers.flat(), template.body ?? ""];
  const restNames = [...new Set(rest.flatMap(findReferences))];
  const restResults = await vault.resolveMany(restNames, { url });
  const restProblems = collect(restResults, values);
  if (restProblems.length > 0) return { ok: false, unresolved: restProblems };

  const fill = (text: string) => substitute(text, values);
  const request: WireRequest = {
    method: template.method,
    url,
    headers: template.headers.map(([k, v]) => [fill(k), fill(v)]),
    ...(template.body !== undefined ? { body: fill(template.body) } : {}),
  };
  return { ok: true, request, secrets: [...values.keys()], mask: masker(values) };
}

function target(url: string): string | undefined {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.hostname}`;
  } catch {
    return undefined;
  }
}

type Resolutions = Awaited<ReturnType<Vault["resolveMany"]>>;

function collect(results: Resolutions, values: Map<string, string>): UnresolvedReference[] {
  const problems: UnresolvedReference[] = [];
  for (const r of results) {
    if (r.ok) values.set(r.name, r.value);
    else {
      const { ok: _ok, ...rest } = r;
      problems.push(rest);
    }
  }
  return problems;
}

const MASK = "****";

/**
 * Masks every resolved value, and its URL-encoded and JSON-escaped forms, with core's masking
 * (the one the CLI's `run` uses): no run of 8 characters of a value is left.
 */
function masker(values: ReadonlyMap<string, string>): (text: string) => string {
  const secrets = [...values.values()];
  return (text) => maskText(text, secrets, { mask: MASK, forms: ["url", "json"] });
}
