import { existsSync, readFileSync } from "node:fs";
import { findReferences } from "@vaultlink/core";

/** The text of a Newman input (a file path or an object); undefined for a URL or nothing. */
export function inputText(input: unknown): string | undefined {
  if (input === undefined || input === null) return undefined;
  if (typeof input === "string") {
    if (/^https?:\/\//i.test(input) || !existsSync(input)) return undefined;
    return readFileSync(input, "utf8");
  }
  return JSON.stringify(input);
}

const SCRIPT_VAULT_CALL = /pm\.vault\.(?:get|set|unset)\(\s*(["'`])([^"'`]+)\1/g;

/**
 * The secret names a run can use: every `{{vault:name}}` in the collection, environment,
 * globals and iteration data, plus (when scripts may use the vault) names written literally in
 * `pm.vault.get/set/unset("name")` calls. Only these are resolved, each once per run.
 */
export function referencedNames(inputs: readonly unknown[], scripts: boolean): string[] {
  const names = new Set<string>();
  for (const input of inputs) {
    const text = inputText(input);
    if (text === undefined) continue;
    for (const n of findReferences(text)) names.add(n);
    if (scripts) for (const m of text.matchAll(SCRIPT_VAULT_CALL)) if (m[2]) names.add(m[2]);
  }
  return [...names].sort();
}
