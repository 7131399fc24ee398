/**
 * Allowed-domain matching, following Postman's behaviour:
 * - `*.example.com` matches every subdomain of example.com and example.com itself;
 * - a domain written without a scheme allows https only; `http://host` allows http;
 * - ports and paths in either the domain or the request URL are ignored;
 * - hosts compare case-insensitively and without a trailing dot;
 * - a request URL without a scheme counts as http.
 * Matching is on label boundaries, so `example.com.evil.net` and `evilexample.com` never match
 * `example.com`.
 */
interface DomainRule {
  scheme: "http" | "https";
  host: string;
  wildcard: boolean;
}

function normaliseHost(host: string): string {
  let h = host.trim().toLowerCase();
  if (h.startsWith("[") && h.includes("]")) return h.slice(0, h.indexOf("]") + 1);
  h = h.replace(/:\d*$/, "");
  while (h.endsWith(".")) h = h.slice(0, -1);
  return h;
}

export function parseDomainRule(entry: string): DomainRule | undefined {
  let rest = entry.trim();
  if (rest === "") return undefined;
  let scheme: "http" | "https" = "https";
  const schemeMatch = /^([a-z][a-z0-9+.-]*):\/\//i.exec(rest);
  if (schemeMatch) {
    const s = schemeMatch[1]?.toLowerCase();
    if (s !== "http" && s !== "https") return undefined;
    scheme = s;
    rest = rest.slice(schemeMatch[0].length);
  }
  rest = rest.split(/[/?#]/, 1)[0] ?? "";
  let wildcard = false;
  if (rest.startsWith("*.")) {
    wildcard = true;
    rest = rest.slice(2);
  }
  const host = normaliseHost(rest);
  if (host === "" || host.includes("*")) return undefined;
  return { scheme, host, wildcard };
}

/** Validate entries a user typed; returns the problems (empty when all are fine). */
export function invalidDomainEntries(entries: readonly string[]): string[] {
  return entries.filter((e) => parseDomainRule(e) === undefined);
}

function requestParts(url: string): { scheme: string; host: string } | undefined {
  const trimmed = url.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
  try {
    const parsed = new URL(withScheme);
    return { scheme: parsed.protocol.replace(/:$/, ""), host: normaliseHost(parsed.hostname) };
  } catch {
    return undefined;
  }
}

/** True when `url` may receive a secret whose allowed domains are `entries`. */
export function isUrlAllowed(entries: readonly string[], url: string | undefined): boolean {
  if (entries.length === 0) return true;
  if (url === undefined) return false;
  const req = requestParts(url);
  if (!req) return false;
  for (const entry of entries) {
    const rule = parseDomainRule(entry);
    if (!rule || rule.scheme !== req.scheme) continue;
    if (req.host === rule.host) return true;
    if (rule.wildcard && req.host.endsWith(`.${rule.host}`)) return true;
  }
  return false;
}
