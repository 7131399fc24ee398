const WINDOW_MS = 1000;

/**
 * Lookups per source (one env file, the process environment, one command) in the last second,
 * shared by every instance in the process: two integrations running the same slow or metered
 * command share its budget.
 */
const recent = new Map<string, number[]>();

/** Count one lookup against `source`; false when the budget for this second is spent. */
export function takeLookup(source: string, limit: number | undefined, now: number): boolean {
  if (limit === undefined) return true;
  // Keep only this window: a clock that moved backwards must not leave future stamps behind.
  const stamps = (recent.get(source) ?? []).filter((t) => t > now - WINDOW_MS && t <= now);
  const allowed = stamps.length < limit;
  if (allowed) stamps.push(now);
  recent.set(source, stamps);
  return allowed;
}
