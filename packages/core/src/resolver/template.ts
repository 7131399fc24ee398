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
