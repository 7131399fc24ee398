import type { KeySource } from "../types.js";

/** The environment variable that holds the vault key. */
export const VAULT_KEY_ENV = "VAULTLINK_VAULT_KEY";

/** The vault key from `VAULTLINK_VAULT_KEY` (first in the default order). */
export function envKeySource(env: Record<string, string | undefined> = process.env): KeySource {
  const read = () => {
    const value = env[VAULT_KEY_ENV]?.trim();
    return value ? value : undefined;
  };
  return {
    id: "env",
    async availability() {
      return read() === undefined
        ? { available: false, reason: `${VAULT_KEY_ENV} is not set` }
        : { available: true };
    },
    async load() {
      return read();
    },
  };
}
