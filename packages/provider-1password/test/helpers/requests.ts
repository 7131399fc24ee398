import type { FetchRequest, FetchResult, ProviderInstance } from "@vaultlink/core/plugin";
import { expect } from "vitest";
import { parseReference } from "../../src/index.js";

export const request = (id: string, reference: string, version?: string): FetchRequest => ({
  id,
  reference: parseReference(reference),
  ...(version ? { version } : {}),
});

export const byId = (results: FetchResult[]) => new Map(results.map((r) => [r.id, r]));

export const codes = (results: FetchResult[]) => results.map((r) => (r.ok ? "ok" : r.code));

/** Fetch `[id, reference]` pairs in one call and index the results by id. */
export async function fetchById(
  instance: ProviderInstance,
  pairs: readonly (readonly [string, string])[],
): Promise<Map<string, FetchResult>> {
  return byId(await instance.fetch(pairs.map(([id, reference]) => request(id, reference))));
}

/**
 * References to a vault, item, section or field that the test datasets of both paths lack, or
 * that match twice there, and what each failure must say. Both datasets have a vault
 * "Production" with items "Database" (section "replica"), "Twins" (field "key" in sections
 * "a" and "b") and two items titled "Duplicate".
 */
export const MISSING_OR_AMBIGUOUS = [
  {
    id: "vault",
    reference: "op://Nowhere/Database/password",
    code: "NOT_FOUND",
    message: /no vault "Nowhere"/,
    hint: /Personal, Private or Employee/,
  },
  {
    id: "item",
    reference: "op://Production/Nothing/password",
    code: "NOT_FOUND",
    message: /vault "Production" has no item "Nothing"/,
  },
  {
    id: "section",
    reference: "op://Production/Database/primary/host",
    code: "NOT_FOUND",
    message: /no section "primary"/,
  },
  {
    id: "field",
    reference: "op://Production/Database/pin",
    code: "NOT_FOUND",
    message: /"Database" has no field "pin"/,
  },
  {
    id: "items",
    reference: "op://Production/Duplicate/x",
    code: "PROVIDER_ERROR",
    message: /match "Duplicate".*ambiguous/,
    hint: /id/,
  },
  {
    id: "fields",
    reference: "op://Production/Twins/key",
    code: "PROVIDER_ERROR",
    message: /fields of the 1Password item "Twins" match "key".*ambiguous/,
    hint: /section/,
  },
] as const;

/** Fetch MISSING_OR_AMBIGUOUS plus `more` in one call; check that each failure names its part. */
export async function fetchMissingOrAmbiguous(
  instance: ProviderInstance,
  more: readonly (readonly [string, string])[] = [],
): Promise<Map<string, FetchResult>> {
  const results = await fetchById(instance, [
    ...MISSING_OR_AMBIGUOUS.map((c) => [c.id, c.reference] as const),
    ...more,
  ]);
  for (const c of MISSING_OR_AMBIGUOUS) {
    expect(results.get(c.id), c.reference).toMatchObject({
      ok: false,
      code: c.code,
      message: expect.stringMatching(c.message),
      ...("hint" in c ? { hint: expect.stringMatching(c.hint) } : {}),
    });
  }
  return results;
}
