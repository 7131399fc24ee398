/**
 * Secret values shorter than this are not searched for: they would match ordinary words by
 * chance ("on", "1"), which makes the check noisy without making it stronger.
 */
export const MIN_SECRET_LENGTH = 4;

export interface SecretMatch {
  /** Index of the matching secret in the list given. */
  index: number;
  /** Where it was found, as a path into the subject (`details.token`, `cause.message`). */
  path: string;
}

/**
 * Every place where one of `secrets` appears in `subject`. Strings, object keys and values,
 * arrays, Maps, Sets, Uint8Arrays (decoded as UTF-8) and errors (message, hint, details,
 * cause) are searched, for each secret as is and JSON-escaped.
 */
export function findSecretsIn(subject: unknown, secrets: readonly string[]): SecretMatch[] {
  // A secret dumped inside a JSON string (a logged response body) is escaped, so search for
  // the escaped form as well.
  const wanted = secrets.flatMap((secret, index) => {
    if (typeof secret !== "string" || secret.length < MIN_SECRET_LENGTH) return [];
    const escaped = JSON.stringify(secret).slice(1, -1);
    return escaped === secret
      ? [{ secret, index }]
      : [
          { secret, index },
          { secret: escaped, index },
        ];
  });
  const matches: SecretMatch[] = [];
  if (wanted.length === 0) return matches;
  const seen = new Set<object>();

  const inspect = (text: string, path: string): void => {
    const found = new Set<number>();
    for (const { secret, index } of wanted) {
      if (!found.has(index) && text.includes(secret)) {
        found.add(index);
        matches.push({ index, path });
      }
    }
  };

  const walk = (value: unknown, path: string): void => {
    if (typeof value === "string") {
      inspect(value, path);
      return;
    }
    if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") {
      inspect(String(value), path);
      return;
    }
    if (typeof value !== "object" || value === null) return;
    if (seen.has(value)) return;
    seen.add(value);
    if (value instanceof Uint8Array) {
      inspect(new TextDecoder().decode(value), path);
      return;
    }
    if (value instanceof Date) return;
    if (value instanceof Error) {
      walk(value.message, join(path, "message"));
      const extra = value as Error & { hint?: unknown; details?: unknown };
      walk(extra.hint, join(path, "hint"));
      walk(extra.details, join(path, "details"));
      walk(value.cause, join(path, "cause"));
      return;
    }
    if (value instanceof Map) {
      for (const [key, entry] of value) {
        walk(key, join(path, "<key>"));
        walk(entry, join(path, String(key)));
      }
      return;
    }
    if (value instanceof Set || Array.isArray(value)) {
      let i = 0;
      for (const entry of value) walk(entry, join(path, String(i++)));
      return;
    }
    for (const [key, entry] of Object.entries(value)) {
      inspect(key, join(path, "<key>"));
      walk(entry, join(path, key));
    }
  };

  walk(subject, "");
  return matches;
}

/**
 * Throw when any of `secrets` appears anywhere in `subject`. Works without a test runner's
 * `expect`. The thrown message names the secret's index and where it was found, never the
 * secret itself, so the failure report does not leak it a second time.
 */
export function expectNoSecretIn(
  subject: unknown,
  secrets: readonly string[],
  label = "the value",
): void {
  const matches = findSecretsIn(subject, secrets);
  if (matches.length === 0) return;
  const where = matches
    .map(
      ({ index, path }) =>
        `secret #${index} (${mask(secrets[index] ?? "")}) at ${path || "<root>"}`,
    )
    .join("; ");
  throw new Error(`A secret value appears in ${label}: ${where}.`);
}

/** Collect every string inside a value (for turning credentials objects into a secret list). */
export function collectStrings(value: unknown): string[] {
  const out: string[] = [];
  const seen = new Set<object>();
  const walk = (v: unknown): void => {
    if (typeof v === "string") out.push(v);
    else if (v && typeof v === "object" && !seen.has(v)) {
      seen.add(v);
      for (const entry of Array.isArray(v) ? v : Object.values(v)) walk(entry);
    }
  };
  walk(value);
  return out;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** Enough to tell secrets apart in a report, nothing to recover them from. */
function mask(secret: string): string {
  return `${secret.length} chars`;
}
