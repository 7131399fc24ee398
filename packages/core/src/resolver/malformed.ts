import { fixFor } from "./fixes.js";
import { findMalformedReferences, type MalformedReference } from "./template.js";
import type { UnresolvedReference } from "./types.js";

/**
 * Every `{{vault:…}}` in `text` that cannot name a secret (empty, bad name, unterminated),
 * reported as an unresolved reference with reason `malformed`. Hosts use it wherever text with
 * references is taken (templates, a command's environment), so a typo is never passed on as is.
 */
export function malformedReferences(text: string): UnresolvedReference[] {
  return findMalformedReferences(text).map(malformedReference);
}

function malformedReference(m: MalformedReference): UnresolvedReference {
  const name = m.written.slice("{{vault:".length).replace(/\}\}$/, "");
  const why =
    m.problem === "empty-name"
      ? "it names no secret"
      : m.problem === "unterminated"
        ? "it has no closing }}"
        : "secret names use only letters, digits, '-', '_' and '.' (1 to 128)";
  return {
    name,
    reason: "malformed",
    written: m.written,
    message: `${m.written} is not a valid reference: ${why}.`,
    fix: fixFor("malformed", name),
  };
}
