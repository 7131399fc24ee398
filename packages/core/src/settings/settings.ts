import { vaultlinkError } from "../errors/index.js";
import type { VaultSettings } from "../vault/model.js";

/** Longest cache time accepted: one week. Longer defeats rotation at the provider. */
export const MAX_CACHE_TTL_MINUTES = 10_080;

/** Setting names as users type them, mapped to document fields. */
export const SETTING_NAMES = {
  "cache-ttl": "cacheTtlMinutes",
  "stale-if-error": "staleIfErrorMinutes",
  "sign-ins": "signIns",
} as const;
export type SettingName = keyof typeof SETTING_NAMES;

/** A number typed or stored as minutes; NaN when it is not a plain decimal number. */
function minutesFrom(input: unknown): number {
  const text = typeof input === "string" ? input.trim() : input;
  if (typeof text === "number") return text;
  return typeof text === "string" && /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
}

/** Validate a cache time in whole minutes: 0 (no caching) up to one week. */
export function parseCacheTtlMinutes(input: unknown): number {
  const n = minutesFrom(input);
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

/** Longest stale-if-error window: one day. An outage longer than that needs a person. */
export const MAX_STALE_IF_ERROR_MINUTES = 1_440;

/**
 * Validate a stale-if-error window in whole minutes: 0 (off) up to one day.
 */
export function parseStaleIfErrorMinutes(input: unknown): number {
  const n = minutesFrom(input);
  const hint = `Give whole minutes from 0 (off) to ${MAX_STALE_IF_ERROR_MINUTES}, for example 15.`;
  if (!Number.isFinite(n))
    throw vaultlinkError(
      "INVALID_SETTING",
      `stale-if-error "${String(input)}" is not a number of minutes.`,
      { hint },
    );
  if (!Number.isInteger(n) || n < 0 || n > MAX_STALE_IF_ERROR_MINUTES)
    throw vaultlinkError(
      "INVALID_SETTING",
      `stale-if-error ${n} is not a whole number of minutes from 0 to ${MAX_STALE_IF_ERROR_MINUTES}.`,
      { hint },
    );
  return n;
}

/** Validate where sign-ins live: "vault" (the default) or "memory" (the agent's only). */
export function parseSignIns(input: unknown): "vault" | "memory" {
  const text = typeof input === "string" ? input.trim() : input;
  if (text === "vault" || text === "memory") return text;
  throw vaultlinkError("INVALID_SETTING", `sign-ins "${String(input)}" is not vault or memory.`, {
    hint: "Use vault (sign-ins kept, encrypted, in the vault file) or memory (only in the running agent).",
  });
}

/** Parse a setting's value by its user-facing name. */
export function parseSetting(name: string, value: unknown): number | "vault" | "memory" {
  const field = settingField(name);
  if (field === "signIns") return parseSignIns(value);
  return field === "staleIfErrorMinutes"
    ? parseStaleIfErrorMinutes(value)
    : parseCacheTtlMinutes(value);
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
