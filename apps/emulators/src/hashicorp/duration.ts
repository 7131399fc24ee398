const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/**
 * Seconds from a Vault duration: a number of seconds, a numeric string, or units such as
 * "90s", "15m", "1h30m", "2d". Returns undefined for anything else.
 */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== "string" || value.trim() === "") return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  let total = 0;
  let rest = text;
  while (rest.length > 0) {
    const match = /^(\d+(?:\.\d+)?)([smhd])/.exec(rest);
    if (!match) return undefined;
    total += Number(match[1]) * (UNIT_SECONDS[match[2] as string] ?? 0);
    rest = rest.slice(match[0].length);
  }
  return Math.floor(total);
}
