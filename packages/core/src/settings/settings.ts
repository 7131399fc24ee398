import { vaultlinkError } from "../errors/index.js";
import type { VaultSettings } from "../vault/model.js";

/** Longest cache time accepted: one week. Longer defeats rotation at the provider. */
export const MAX_CACHE_TTL_MINUTES = 10_080;

/** Setting names as users type them, mapped to document fields. */
export const SETTING_NAMES = { "cache-ttl": "cacheTtlMinutes" } as const;
export type SettingName = keyof typeof SETTING_NAMES;

/** Validate a cache time in whole minutes: 0 (no caching) up to one week. */
export function parseCacheTtlMinutes(input: unknown): number {
  const text = typeof input === "string" ? input.trim() : input;
  const n =
    typeof text === "number"
      ? text
      : typeof text === "string" && /^-?\d+(\.\d+)?$/.test(text)
        ? Number(text)
        : Number.NaN;
  if (!Number.isFinite(n)) {
    throw vaultlinkError(
      "INVALID_SETTING",
      `Cache time "${String(input)}" is not a number of minutes.`,
      {
        hint: `Give whole minutes from 0 (no caching) to ${MAX_CACHE_TTL_MINUTES}, for example 60.`,
      },
    );
  }
  if (!Number.isInteger(n)) {
    throw vaultlinkError("INVALID_SETTING", `Cache time ${n} is not a whole number of minutes.`, {
      hint: "Round it to whole minutes, for example 60.",
    });
  }
  if (n < 0) {
    throw vaultlinkError("INVALID_SETTING", `Cache time ${n} is negative.`, {
      hint: "Use 0 to turn caching off, or a positive number of minutes.",
    });
  }
  if (n > MAX_CACHE_TTL_MINUTES) {
    throw vaultlinkError("INVALID_SETTING", `Cache time ${n} minutes is longer than one week.`, {
      hint: `Use at most ${MAX_CACHE_TTL_MINUTES} minutes; rotated secrets would otherwise stay stale.`,
    });
  }
  return n;
}

export function settingField(name: string): keyof VaultSettings {
  const field = (SETTING_NAMES as Record<string, keyof VaultSettings>)[name];
  if (!field) {
    throw vaultlinkError("INVALID_SETTING", `There is no setting named "${name}".`, {
      hint: `Settings: ${Object.keys(SETTING_NAMES).join(", ")}.`,
    });
  }
  return field;
}
