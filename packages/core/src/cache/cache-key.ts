/**
 * The cache key covers everything that changes the cached value: integration, reference,
 * version, JSON key and link options. Leaving any of them out would hand one link another link's value.
 */
export function cacheKey(parts: {
  integration: string;
  reference: string;
  version?: string | undefined;
  jsonKey?: string | undefined;
  options?: Record<string, string> | undefined;
}): string {
  const key: unknown[] = [
    parts.integration,
    parts.reference,
    parts.version ?? null,
    parts.jsonKey ?? null,
  ];
  // Link options (an AWS role) only when there are some, so older keys stay as they were.
  if (parts.options && Object.keys(parts.options).length > 0) {
    key.push(Object.entries(parts.options).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
  return JSON.stringify(key);
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
  options?: Record<string, string> | undefined;
}): string {
  let key = memo.get(link);
  if (key === undefined) {
    key = cacheKey(link);
    if (Object.isFrozen(link)) memo.set(link, key);
  }
  return key;
}
