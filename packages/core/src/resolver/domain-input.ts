import { isIP } from "node:net";
import { vaultlinkError } from "../errors/index.js";

/**
 * Checking allowed domains as a person types them. Matching (allowed-domains.ts) stays lenient
 * so entries stored by older releases keep working; new entries must say exactly what they
 * allow, because Postman's matching silently ignores ports and paths and reads a scheme-less
 * entry as https only. Anything that would be ignored or widened is refused here, with the
 * form to type instead.
 */

export type DomainEntryCheck =
  | { ok: true; canonical: string; wildcard: boolean; host: string }
  | { ok: false; problem: string; hint: string };

const CLEAR_HINT =
  "To allow any domain, give no allowed domains (vaultlink secret domains <name> --clear).";
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

function refuse(problem: string, hint: string): DomainEntryCheck {
  return { ok: false, problem, hint };
}

/** Split a comma-separated list as typed, keeping empty entries so they can be refused. */
export function splitDomainList(text: string): string[] {
  return text.split(",").map((entry) => entry.trim());
}

/**
 * Check one entry (everything but the public-suffix rule, which needs the suffix list; see
 * `checkAllowedDomains`). Returns its canonical form: lower case, IDNs in punycode, no
 * trailing dot, `http://`/`https://` kept when typed.
 */
export function checkDomainEntry(raw: string): DomainEntryCheck {
  const entry = raw.trim();
  if (entry === "") return refuse("An allowed domain is empty.", CLEAR_HINT);
  const shown = JSON.stringify(entry.length > 80 ? `${entry.slice(0, 80)}…` : entry);
  if (/\s/.test(entry)) {
    return refuse(
      `The allowed domain ${shown} contains a space.`,
      "Type one host per entry, separated by commas (api.example.com,*.example.com).",
    );
  }
  let rest = entry;
  let prefix = "";
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(rest);
  if (scheme) {
    const s = (scheme[1] as string).toLowerCase();
    if (s !== "http" && s !== "https") {
      return refuse(
        `The allowed domain ${shown} uses ${s}://; an allowed domain is for http or https requests.`,
        "Type the host alone (https only), or with http:// to allow http.",
      );
    }
    prefix = `${s}://`;
    rest = rest.slice(scheme[0].length);
  } else if (/^[a-z][a-z0-9+.-]*:\/?[^0-9]/i.test(rest) && !/^[^:]+:\d+(?:[/?#]|$)/.test(rest)) {
    return refuse(
      `The allowed domain ${shown} is not a host or http(s):// URL.`,
      "Type a host (api.example.com), a wildcard (*.example.com), or http://host for http.",
    );
  }
  const cut = rest.search(/[/?#]/);
  const authority = cut < 0 ? rest : rest.slice(0, cut);
  const withoutPath = `${prefix}${authority}`;
  if (cut >= 0) {
    return refuse(
      `The allowed domain ${shown} has a path; an allowed domain covers every path of its host.`,
      `Type ${withoutPath}.`,
    );
  }
  if (authority.includes("@")) {
    const host = authority.slice(authority.lastIndexOf("@") + 1);
    return refuse(`The allowed domain ${shown} has a user name in it.`, `Type ${prefix}${host}.`);
  }
  let hostPart = authority;
  const port = /^(\[[^\]]*\]|[^:]*):(\d*)$/.exec(authority);
  if (port && port[1] !== "") {
    hostPart = port[1] as string;
    const schemeNote = prefix === "" ? " (https; add http:// to allow http)" : "";
    return refuse(
      `The allowed domain ${shown} has a port; ports are ignored, so it would match every port of ${hostPart}.`,
      `Type ${prefix}${hostPart}${schemeNote}.`,
    );
  }
  if (hostPart === "" || port) {
    return refuse(
      `The allowed domain ${shown} has no host.`,
      "Type a host after the scheme (http://api.example.com), or the host alone for https.",
    );
  }
  if (hostPart === "*" || hostPart === "*.") {
    return refuse(`The allowed domain ${shown} would allow every host.`, CLEAR_HINT);
  }
  let wildcard = false;
  if (hostPart.startsWith("*.")) {
    wildcard = true;
    hostPart = hostPart.slice(2);
  }
  if (hostPart.includes("*")) {
    return refuse(
      `The allowed domain ${shown} has a "*" that is not a leading "*.".`,
      "A wildcard covers a domain and its subdomains: type *.example.com.",
    );
  }
  if (hostPart.startsWith(".")) {
    const bare = hostPart.replace(/^\.+/, "");
    return refuse(
      `The allowed domain ${shown} starts with a dot.`,
      `Type ${prefix}*.${bare} for ${bare} and its subdomains, or ${prefix}${bare} for that host only.`,
    );
  }
  if (hostPart.startsWith("[")) {
    const inner = hostPart.endsWith("]") ? hostPart.slice(1, -1) : "";
    if (wildcard || isIP(inner) !== 6) {
      return refuse(
        `The allowed domain ${shown} is not a host name or IP address.`,
        "Write an IPv6 address in brackets, like [::1].",
      );
    }
    const canonical = new URL(`http://${hostPart}`).hostname;
    return { ok: true, canonical: `${prefix}${canonical}`, wildcard: false, host: canonical };
  }
  const trimmed = hostPart.endsWith(".") ? hostPart.slice(0, -1) : hostPart;
  if (trimmed.split(".").some((label) => label === "")) {
    const collapsed = trimmed.split(".").filter(Boolean).join(".");
    return refuse(
      `The allowed domain ${shown} has an empty label (two dots in a row).`,
      collapsed ? `Type ${prefix}${wildcard ? "*." : ""}${collapsed}.` : CLEAR_HINT,
    );
  }
  let host: string;
  try {
    host = new URL(`http://${trimmed}`).hostname;
  } catch {
    host = "";
  }
  const labels = host.split(".");
  if (
    host === "" ||
    host.length > 253 ||
    (isIP(host) === 0 && !labels.every((label) => LABEL.test(label)))
  ) {
    return refuse(
      `The allowed domain ${shown} is not a host name.`,
      "Use letters, digits, '-' and dots (api.example.com), or an IP address.",
    );
  }
  if (wildcard && isIP(host) !== 0) {
    return refuse(
      `The allowed domain ${shown} puts a wildcard in front of an IP address.`,
      `Type ${prefix}${host}.`,
    );
  }
  return { ok: true, canonical: `${prefix}${wildcard ? "*." : ""}${host}`, wildcard, host };
}

/** The public suffix `host` is, when it is one on the Public Suffix List (ICANN or private). */
async function publicSuffixOf(host: string): Promise<string | undefined> {
  const { parse } = await import("tldts");
  const parsed = parse(host, { allowPrivateDomains: true });
  const listed = parsed.isIcann === true || parsed.isPrivate === true;
  return listed && parsed.publicSuffix === host ? host : undefined;
}

/**
 * Check allowed domains as typed and return them canonical and de-duplicated. Throws
 * INVALID_INPUT naming the first bad entry and the form to type instead. An empty list means
 * any domain; an empty entry inside a list is refused. `stored` are the secret's current
 * entries, kept unchecked when given again (adding a domain never rejects an old one).
 */
export async function checkAllowedDomains(
  entries: readonly string[],
  options: { stored?: readonly string[] } = {},
): Promise<string[]> {
  const out: string[] = [];
  for (const entry of entries) {
    // An entry the secret already has (perhaps stored by an earlier release) stays as it is.
    if (options.stored?.includes(entry)) {
      if (!out.includes(entry)) out.push(entry);
      continue;
    }
    const checked = checkDomainEntry(entry);
    if (!checked.ok) throw vaultlinkError("INVALID_INPUT", checked.problem, { hint: checked.hint });
    if (checked.wildcard) {
      const suffix = await publicSuffixOf(checked.host);
      if (suffix) {
        throw vaultlinkError(
          "INVALID_INPUT",
          `The allowed domain "${entry.trim()}" covers every site under the public suffix ${suffix}.`,
          {
            hint: `Name the site: *.example.${suffix} allows example.${suffix} and its subdomains.`,
          },
        );
      }
    }
    if (!out.includes(checked.canonical)) out.push(checked.canonical);
  }
  return out;
}
