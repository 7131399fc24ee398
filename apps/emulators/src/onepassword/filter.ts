/** The SCIM-style filters Connect accepts: `title eq "X"`, `title co "X"`, `tag eq "x"`. */
export type ItemFilter = { attr: "title" | "tag"; op: "eq" | "co"; value: string };

/** Parse a `filter` query value (already percent-decoded); undefined when malformed. */
export function parseFilter(raw: string): ItemFilter | undefined {
  const m = /^\s*(title|tag)\s+(eq|co)\s+"((?:[^"\\]|\\.)*)"\s*$/i.exec(raw);
  if (!m?.[1] || !m[2] || m[3] === undefined) return undefined;
  const attr = m[1].toLowerCase() as ItemFilter["attr"];
  const op = m[2].toLowerCase() as ItemFilter["op"];
  if (attr === "tag" && op !== "eq") return undefined;
  return { attr, op, value: m[3].replace(/\\(.)/g, "$1") };
}

/** Whether a title (and tags) match a filter. Title comparison ignores case, as Connect does. */
export function matches(filter: ItemFilter, title: string, tags: string[] = []): boolean {
  if (filter.attr === "tag") return tags.includes(filter.value);
  const a = title.toLowerCase();
  const b = filter.value.toLowerCase();
  return filter.op === "eq" ? a === b : a.includes(b);
}
