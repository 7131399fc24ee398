import { type ParsedReference, providerError } from "@vaultlink/core/plugin";
import { PROVIDER_ID } from "./meta.js";

/**
 * 1Password secret references: `op://vault/item[/section]/field[?attribute=otp]`.
 *
 * Parsed here, offline, following the grammar the SDK's own reference validator applies
 * (checked against @1password/sdk 0.5.0: segments of letters, digits, "-", "_", "." and spaces,
 * optional section, `?attribute=otp`), so saving a link never loads the SDK's 14 MB WASM core.
 * Decision 0400 has the canonical form. One deliberate difference:
 * empty segments (`op://vault//field`) are refused here, where the SDK's parser lets them
 * through and fails later at resolve time.
 */

/** A vault, item, section or field id: 26 lowercase letters or digits. */
export const ONEPASSWORD_ID = /^[a-z0-9]{26}$/;

const SEGMENT = /^[A-Za-z0-9\-_. ]+$/;
const SCHEME = "op://";
const EXAMPLE = "op://Production/Database/password";

export type OtpAttribute = "otp";
export type SshFormat = "openssh";

export interface OnePasswordReference extends ParsedReference {
  canonical: string;
  vault: string;
  item: string;
  section?: string;
  field: string;
  /** `?attribute=otp` (or its synonym `totp`): the current one-time code of an OTP field. */
  attribute?: OtpAttribute;
  /** `?ssh-format=openssh`: an SSH private key converted to OpenSSH format. */
  sshFormat?: SshFormat;
}

const QUERY: Record<string, Record<string, { attribute?: OtpAttribute; sshFormat?: SshFormat }>> = {
  attribute: { otp: { attribute: "otp" }, totp: { attribute: "otp" } },
  "ssh-format": { openssh: { sshFormat: "openssh" } },
};

/**
 * Validate and normalise a reference. The canonical form keeps the names as written (1Password
 * compares names without regard to case, so `op://Dev/…` and `op://dev/…` reach the same
 * secret) and normalises only what 1Password treats as synonyms: surrounding whitespace is
 * dropped and the query is written `?attribute=otp` or `?ssh-format=openssh`.
 */
export function parseReference(input: string): OnePasswordReference {
  if (typeof input !== "string") throw invalid("A 1Password reference must be text.");
  const text = input.trim();
  if (text === "") throw invalid("The 1Password reference is empty.");
  const shown = describe(text);
  if (!text.startsWith(SCHEME)) {
    const hint = text.toLowerCase().startsWith(SCHEME)
      ? `Write the prefix in lowercase: "op://".`
      : undefined;
    throw invalid(`${shown} does not start with "op://".`, hint);
  }
  const rest = text.slice(SCHEME.length);
  const queryAt = rest.indexOf("?");
  const path = queryAt === -1 ? rest : rest.slice(0, queryAt);
  const query = queryAt === -1 ? undefined : rest.slice(queryAt + 1);

  const segments = path.split("/");
  if (segments.length < 3 || segments.length > 4) {
    throw invalid(
      `${shown} has ${segments.length} part${segments.length === 1 ? "" : "s"} after "op://"; it needs vault/item/field or vault/item/section/field.`,
    );
  }
  const names = ["vault", "item", "section", "field"];
  const roles = segments.length === 3 ? ["vault", "item", "field"] : names;
  segments.forEach((segment, i) => {
    const role = roles[i] as string;
    if (segment.trim() === "") throw invalid(`${shown} has an empty ${role} name.`);
    if (!SEGMENT.test(segment)) {
      const bad = [...segment].find((c) => !SEGMENT.test(c)) ?? "";
      throw invalid(
        `${shown}: the ${role} name contains ${JSON.stringify(bad)}; names may only use letters, digits, "-", "_", "." and spaces.`,
        `Use the ${role}'s id (26 lowercase letters and digits) instead of a name with other characters.`,
      );
    }
  });

  const options = query === undefined ? {} : parseQuery(query, shown);
  const [vault, item] = segments as [string, string];
  const section = segments.length === 4 ? segments[2] : undefined;
  const field = segments[segments.length - 1] as string;
  const reference: OnePasswordReference = {
    canonical: formatReference({ vault, item, section, field, ...options }),
    vault,
    item,
    field,
    ...(section !== undefined ? { section } : {}),
    ...options,
  };
  return reference;
}

function parseQuery(
  query: string,
  shown: string,
): { attribute?: OtpAttribute; sshFormat?: SshFormat } {
  const allowed = `Allowed: ?attribute=otp, ?attribute=totp or ?ssh-format=openssh (one parameter).`;
  if (query === "") throw invalid(`${shown} ends with an empty "?" query.`, allowed);
  if (query.includes("&") || query.includes("?")) {
    throw invalid(
      `${shown} has more than one query parameter; 1Password takes exactly one.`,
      allowed,
    );
  }
  const eq = query.indexOf("=");
  const key = (eq === -1 ? query : query.slice(0, eq)).toLowerCase();
  const value = eq === -1 ? "" : query.slice(eq + 1).toLowerCase();
  const values = Object.hasOwn(QUERY, key) ? QUERY[key] : undefined;
  if (!values) throw invalid(`${shown} has an unknown query parameter "${key}".`, allowed);
  const options = Object.hasOwn(values, value) ? values[value] : undefined;
  if (!options) {
    throw invalid(`${shown} gives "${key}" the unsupported value "${value}".`, allowed);
  }
  return options;
}

/** Write a reference in its canonical form. */
export function formatReference(ref: {
  vault: string;
  item: string;
  section?: string | undefined;
  field: string;
  attribute?: OtpAttribute | undefined;
  sshFormat?: SshFormat | undefined;
}): string {
  const path = [
    ref.vault,
    ref.item,
    ...(ref.section !== undefined ? [ref.section] : []),
    ref.field,
  ];
  const query = ref.attribute
    ? `?attribute=${ref.attribute}`
    : ref.sshFormat
      ? `?ssh-format=${ref.sshFormat}`
      : "";
  return `${SCHEME}${path.join("/")}${query}`;
}

/**
 * A key under which two references to the same secret compare equal: names lowercased, since
 * 1Password matches names without regard to case (ids are lowercase already).
 */
export function comparisonKey(ref: OnePasswordReference): string {
  return ref.canonical.toLowerCase();
}

/** True when `segment` is written as a 1Password id rather than a name. */
export function isOnePasswordId(segment: string): boolean {
  return ONEPASSWORD_ID.test(segment);
}

/** Parse again at fetch time: stored links carry only what core kept, the canonical string. */
export function referenceOf(parsed: ParsedReference): OnePasswordReference {
  return parseReference(parsed.canonical);
}

export const REFERENCE_EXAMPLES = [
  EXAMPLE,
  "op://Production/Stripe/API Keys/secret key",
  "op://Production/GitHub/one-time password?attribute=otp",
  "op://Infra/deploy key/private key?ssh-format=openssh",
] as const;

function describe(text: string): string {
  // References are not secrets, but a secret pasted into the wrong box might be: only echo
  // input that looks like a reference.
  return text.startsWith(SCHEME) && text.length <= 300 ? `"${text}"` : "The reference";
}

function invalid(message: string, hint?: string) {
  return providerError(PROVIDER_ID, "INVALID_REFERENCE", message, {
    hint:
      hint ??
      `Write it as op://vault/item/field or op://vault/item/section/field, e.g. ${EXAMPLE}.`,
  });
}

/**
 * One-time codes change every 30 seconds; a cached code would be stale. Results for them
 * carry `cacheTtlMs: 0` so core never caches them.
 */
export function cacheHint(ref: OnePasswordReference): { cacheTtlMs?: number } {
  return ref.attribute === "otp" ? { cacheTtlMs: 0 } : {};
}
