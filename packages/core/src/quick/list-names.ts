import { openVaultQuietly, type QuickVaultOptions } from "./open-vault.js";

export type ListNamesOptions = QuickVaultOptions;

export interface VaultNames {
  /** Secret names, sorted. */
  secrets: string[];
  /** Integration ids, sorted. */
  integrations: string[];
}

/**
 * The names of the vault's secrets and integrations, never a value or credential: for a host's
 * shell completion. The vault document is encrypted as a whole, names included, so this needs
 * the vault key from a source that asks nobody (environment or OS keychain). Undefined when it
 * cannot tell without asking or without an intact vault (no key, no vault, a damaged file, a
 * wrong key): a completion then offers nothing rather than prompt or print an error.
 */
export async function listVaultNames(
  options: ListNamesOptions = {},
): Promise<VaultNames | undefined> {
  try {
    const opened = await openVaultQuietly(options);
    if (opened === undefined) return undefined;
    const { document } = opened;
    return {
      secrets: Object.keys(document.secrets).sort(),
      integrations: Object.keys(document.integrations).sort(),
    };
  } catch {
    return undefined;
  }
}
