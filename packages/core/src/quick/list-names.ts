import { readFileSync } from "node:fs";
import { decodeVaultFile } from "../vault/format.js";
import { parseVaultKey } from "../vault/key.js";
import { envKeySource } from "../vault/keys/env.js";
import { keychainKeySource } from "../vault/keys/keychain.js";
import { resolveVaultKey } from "../vault/keys/resolve.js";
import { resolveVaultPaths } from "../vault/paths.js";
import type { KeySource } from "../vault/types.js";

export interface ListNamesOptions {
  /** The vault directory; default `VAULTLINK_HOME`, else the per-user data directory. */
  home?: string;
  /** Environment for `VAULTLINK_HOME` and `VAULTLINK_VAULT_KEY`; default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Where the vault key may come from without asking anyone; default env, then keychain. */
  keySources?: readonly KeySource[];
}

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
  const env = options.env ?? process.env;
  try {
    const paths = resolveVaultPaths({ env, ...(options.home ? { home: options.home } : {}) });
    const sources = options.keySources ?? [
      envKeySource(env),
      keychainKeySource({ env, account: paths.dir }),
    ];
    const { vaultKey } = await resolveVaultKey(sources);
    const { document } = decodeVaultFile(readFileSync(paths.vaultFile), parseVaultKey(vaultKey), {
      file: paths.vaultFile,
    });
    return {
      secrets: Object.keys(document.secrets).sort(),
      integrations: Object.keys(document.integrations).sort(),
    };
  } catch {
    return undefined;
  }
}
