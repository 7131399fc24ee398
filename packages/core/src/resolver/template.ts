/** `{{vault:name}}` with the name rules of vault secrets. */
export const REFERENCE_PATTERN = /\{\{vault:([A-Za-z0-9._-]{1,128})\}\}/g;

/** Every distinct secret name referenced in `text`, in order of first appearance. */
export function findReferences(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(REFERENCE_PATTERN)) names.add(match[1] as string);
  return [...names];
}

/** Replace references whose name has a value in `values`; leave the others as written. */
export function substitute(text: string, values: ReadonlyMap<string, string>): string {
  return text.replace(REFERENCE_PATTERN, (whole, name: string) => values.get(name) ?? whole);
}

/** A `{{vault:` that does not form a reference: what was written and what is wrong with it. */
export interface MalformedReference {
  /** The text as written (cut at 60 characters). */
  written: string;
  problem: "empty-name" | "bad-name" | "unterminated";
}

const OPENER = "{{vault:";
const NAME_CHARS = /[A-Za-z0-9._-]/;
const LOOKAHEAD = 256;

/**
 * Every `{{vault:` in `text` that is not a well-formed reference: an empty name
 * (`{{vault:}}`), a name that breaks the name rules (`{{vault:bad name}}`), or no closing
 * `}}` (`{{vault:tok`). Postman shows these as errors; they are never substituted.
 */
export function findMalformedReferences(text: string): MalformedReference[] {
  const found = new Map<string, MalformedReference>();
  const wellFormed = new RegExp(REFERENCE_PATTERN.source, "y");
  for (let at = text.indexOf(OPENER); at >= 0; at = text.indexOf(OPENER, at + 1)) {
    wellFormed.lastIndex = at;
    if (wellFormed.test(text)) continue;
    // A name has at most 128 characters: looking a little further than that for the closing
    // braces is enough, and keeps a text full of openers linear.
    const rest = text.slice(at + OPENER.length, at + OPENER.length + LOOKAHEAD);
    const close = rest.indexOf("}}");
    const nextOpen = rest.indexOf("{{");
    const lineEnd = rest.search(/[\r\n]/);
    const closed =
      close >= 0 && (nextOpen < 0 || close < nextOpen) && (lineEnd < 0 || close < lineEnd);
    let written: string;
    let problem: MalformedReference["problem"];
    if (closed) {
      written = `${OPENER}${rest.slice(0, close)}}}`;
      problem = close === 0 ? "empty-name" : "bad-name";
    } else {
      let end = 0;
      while (end < rest.length && NAME_CHARS.test(rest[end] as string)) end++;
      written = `${OPENER}${rest.slice(0, end)}`;
      problem = "unterminated";
    }
    if (written.length > 60) written = `${written.slice(0, 60)}…`;
    if (!found.has(written)) found.set(written, { written, problem });
  }
  return [...found.values()];
}
