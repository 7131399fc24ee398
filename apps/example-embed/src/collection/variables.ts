import { randomInt, randomUUID } from "node:crypto";
import type { PostmanVariable } from "./types.js";

/** `{{name}}`, but never `{{vault:…}}`: vault references are the resolver's job. */
const VARIABLE_PATTERN = /\{\{(?!vault:)([^{}]+?)\}\}/g;
/** Postman stops expanding variables inside variables after this many rounds. */
const MAX_DEPTH = 20;

export type Variables = ReadonlyMap<string, string>;

/** Merge scopes; an inner scope (folder, item) wins over an outer one (collection). */
export function variablesFrom(
  scopes: readonly (readonly PostmanVariable[])[],
  overrides: Record<string, string> = {},
): Variables {
  const map = new Map<string, string>();
  for (const scope of scopes) {
    for (const v of scope) {
      if (v.disabled || typeof v.key !== "string") continue;
      map.set(v.key, v.value === undefined || v.value === null ? "" : String(v.value));
    }
  }
  for (const [k, v] of Object.entries(overrides)) map.set(k, v);
  return map;
}

const dynamic: Record<string, () => string> = {
  $guid: () => randomUUID(),
  $randomUUID: () => randomUUID(),
  $timestamp: () => String(Math.floor(Date.now() / 1000)),
  $isoTimestamp: () => new Date().toISOString(),
  $randomInt: () => String(randomInt(0, 1001)),
};

/**
 * Replace `{{name}}` with its variable's value, expanding variables inside values. Unknown
 * names stay as written, as in Postman. A value may itself hold a `{{vault:…}}` reference; it
 * is left for the resolver, which sees it with the request's URL.
 */
export function substituteVariables(text: string, variables: Variables): string {
  let current = text;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const next = current.replace(VARIABLE_PATTERN, (whole, name: string) => {
      const value = variables.get(name);
      if (value !== undefined) return value;
      const make = dynamic[name];
      return make ? make() : whole;
    });
    if (next === current) return next;
    current = next;
  }
  return current;
}
