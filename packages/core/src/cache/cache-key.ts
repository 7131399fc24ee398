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

const memo = new WeakMap<object, string>();

/**
 * The cache key of a link record, computed once per record object. Records read from the vault
 * are frozen, so a record's key cannot change; a new record (after relinking) gets a new key.
 */
export function linkCacheKey(link: {
  integration: string;
  reference: string;
  version?: string | undefined;
  jsonKey?: string | undefined;
}): string {
  let key = memo.get(link);
  if (key === undefined) {
    key = cacheKey(link);
    if (Object.isFrozen(link)) memo.set(link, key);
  }
  return key;
}
