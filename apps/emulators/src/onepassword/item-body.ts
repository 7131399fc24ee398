import { randomBytes } from "node:crypto";
import { newId } from "./ids.js";
import type { OpField, OpItem, OpSection } from "./store.js";

type Json = Record<string, unknown>;

const asString = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

function fieldFrom(raw: Json): OpField {
  const generated =
    raw.generate === true && raw.value === undefined
      ? randomBytes(18).toString("base64url")
      : undefined;
  const value = asString(raw.value) ?? generated;
  const section = raw.section as Json | undefined;
  const purpose = asString(raw.purpose);
  return {
    id: asString(raw.id) ?? newId(),
    label: asString(raw.label) ?? "",
    type: asString(raw.type) ?? "STRING",
    ...(value !== undefined ? { value } : {}),
    ...(purpose ? { purpose } : {}),
    ...(section && typeof section.id === "string" ? { section: { id: section.id } } : {}),
  };
}

/**
 * Turn a create/update request body (the SDK's serialized FullItem) into a stored item, or a
 * reason why it is invalid. `previous` is the item being replaced, if any.
 */
export function itemFromBody(body: unknown, vaultId: string, previous?: OpItem): OpItem | string {
  if (!body || typeof body !== "object") return "request body must be a JSON item";
  const raw = body as Json;
  const title = asString(raw.title);
  if (!title) return "item title is required";
  const category = asString(raw.category) ?? previous?.category;
  if (!category) return "item category is required";
  const sections: OpSection[] = Array.isArray(raw.sections)
    ? (raw.sections as Json[]).map((s) => ({
        id: asString(s.id) ?? newId(),
        ...(asString(s.label) !== undefined ? { label: asString(s.label) as string } : {}),
      }))
    : [];
  const fields = Array.isArray(raw.fields) ? (raw.fields as Json[]).map(fieldFrom) : [];
  const now = new Date().toISOString();
  return {
    id: previous?.id ?? newId(),
    title,
    vault: { id: vaultId },
    category,
    ...(Array.isArray(raw.urls) ? { urls: raw.urls as OpItem["urls"] & object } : {}),
    favorite: raw.favorite === true,
    tags: Array.isArray(raw.tags)
      ? ((raw.tags as unknown[]).filter((t) => typeof t === "string") as string[])
      : [],
    version: (previous?.version ?? 0) + 1,
    trashed: false,
    createdAt: previous?.createdAt ?? now,
    updatedAt: now,
    lastEditedBy: previous?.lastEditedBy ?? newId(),
    sections,
    fields,
  };
}
