/**
 * The cache key covers everything that changes the cached value: integration, reference,
 * version and JSON key. Leaving any of them out would hand one link another link's value.
 */
export function cacheKey(parts: {
  integration: string;
  reference: string;
  version?: string | undefined;
  jsonKey?: string | undefined;
}): string {
  return JSON.stringify([
    parts.integration,
    parts.reference,
    parts.version ?? null,
    parts.jsonKey ?? null,
  ]);
}
