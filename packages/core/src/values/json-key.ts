import { vaultlinkError } from "../errors/index.js";

/**
 * Pick one key of a JSON object value. Providers never do this; core does, so every provider
 * behaves the same. Errors name the key, never the value.
 *
 * A key may be a dotted path (`db.password`) when no top-level key has that exact name.
 */
export function extractJsonKey(value: string, key: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw vaultlinkError(
      "NOT_JSON",
      `The value is not JSON, so JSON key "${key}" cannot be read.`,
      {
        hint: "Remove the JSON key from the link, or store the value as a JSON object.",
        details: { jsonKey: key },
      },
    );
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw vaultlinkError(
      "NOT_JSON",
      `The value is not a JSON object, so key "${key}" cannot be read.`,
      {
        hint: "Remove the JSON key from the link, or store the value as a JSON object.",
        details: { jsonKey: key },
      },
    );
  }
  const found = lookup(parsed as Record<string, unknown>, key);
  if (found === undefined) {
    const keys = Object.keys(parsed as object).slice(0, 20);
    throw vaultlinkError("JSON_KEY_MISSING", `JSON key "${key}" is not in the value.`, {
      hint: keys.length
        ? `Keys present: ${keys.join(", ")}. Relink with one of them.`
        : "The JSON object is empty.",
      details: { jsonKey: key },
    });
  }
  return typeof found === "string" ? found : JSON.stringify(found);
}

function lookup(obj: Record<string, unknown>, key: string): unknown {
  if (Object.hasOwn(obj, key)) return obj[key];
  let current: unknown = obj;
  for (const part of key.split(".")) {
    if (current === null || typeof current !== "object" || !Object.hasOwn(current, part)) {
      return undefined;
    }
    current = (current as Record<string, unknown>)[part];
  }
  return current === null ? undefined : current;
}
