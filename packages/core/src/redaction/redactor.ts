import { CREDENTIAL_PATTERNS, REDACTED } from "./patterns.js";

/**
 * Known values shorter than this are not searched for: removing "on" or "1" from every
 * message would garble it and hide nothing worth hiding. Credential-looking text is removed
 * whatever its length.
 */
export const MIN_REDACTED_LENGTH = 4;

/** Every string inside a value (a credentials record, a JSON document), depth first. */
export function stringsIn(value: unknown, out: string[] = [], depth = 0): string[] {
  if (depth > 8) return out;
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringsIn(v, out, depth + 1);
  else if (value !== null && typeof value === "object") {
    for (const v of Object.values(value as Record<string, unknown>)) stringsIn(v, out, depth + 1);
  }
  return out;
}

/**
 * The forms a value may take inside a provider's error text: as is, JSON-escaped (an echoed
 * JSON body), URL-encoded (an echoed query), and the string leaves of a JSON value (a JSON
 * secret echoed re-serialised, or one key of it).
 */
function formsOf(value: string): string[] {
  const forms = [value];
  const json = JSON.stringify(value).slice(1, -1);
  if (json !== value) forms.push(json);
  const url = encodeURIComponent(value);
  if (url !== value) forms.push(url);
  const trimmed = value.trim();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    try {
      for (const leaf of stringsIn(JSON.parse(trimmed))) forms.push(leaf);
    } catch {
      // not JSON: the raw forms are enough
    }
  }
  return forms;
}

/** Remove every known value (longest first) and every credential-looking string from `text`. */
export function redactText(text: string, known: Iterable<string>): string {
  const needles = new Set<string>();
  for (const value of known) {
    if (typeof value !== "string" || value.length < MIN_REDACTED_LENGTH) continue;
    for (const form of formsOf(value)) if (form.length >= MIN_REDACTED_LENGTH) needles.add(form);
  }
  let out = text;
  for (const needle of [...needles].sort((a, b) => b.length - a.length)) {
    if (out.includes(needle)) out = out.split(needle).join(REDACTED);
  }
  for (const { pattern, replace } of CREDENTIAL_PATTERNS) out = out.replace(pattern, replace);
  return out;
}

/**
 * The one redaction step of core: every text that came from a provider or a plugin (an
 * error message, a hint, a status reason) passes through `redact` before core hands it on.
 * It knows what `sources` reports at that moment (local values, stored credentials, cached
 * values) plus everything `remember`ed in this process (values fetched, secrets typed at
 * sign-in, sessions a provider returned).
 */
export class Redactor {
  #remembered = new Set<string>();

  constructor(private readonly sources: () => Iterable<string> = () => []) {}

  /** Add every string inside `value` to what this process knows is secret. */
  remember(value: unknown): void {
    for (const s of stringsIn(value)) if (s.length >= MIN_REDACTED_LENGTH) this.#remembered.add(s);
  }

  redact(text: string): string {
    return redactText(text, [...this.#remembered, ...this.sources()]);
  }

  /** `redact` over every string inside a details record (facts a provider attached). */
  redactDetails(details: Record<string, unknown>): Record<string, unknown> {
    return JSON.parse(
      JSON.stringify(details, (_k, v: unknown) => (typeof v === "string" ? this.redact(v) : v)),
    ) as Record<string, unknown>;
  }
}
