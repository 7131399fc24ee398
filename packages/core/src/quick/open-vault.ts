import { readFileSync } from "node:fs";
import { type DecodedVault, decodeVaultFile } from "../vault/format.js";
import { parseVaultKey } from "../vault/key.js";
import { defaultKeySources } from "../vault/keys/defaults.js";
import { resolveVaultKey } from "../vault/keys/resolve.js";
import { resolveVaultPaths } from "../vault/paths.js";
import type { KeySource, VaultPaths } from "../vault/types.js";

/** Where the quick paths find the vault and its key. */
export interface QuickVaultOptions {
  /** The vault directory; default `VAULTLINK_HOME`, else the per-user data directory. */
  home?: string;
  /** Environment for `VAULTLINK_HOME` and `VAULTLINK_VAULT_KEY`; default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Where the vault key may come from without asking anyone; default env, then keychain. */
  keySources?: readonly KeySource[];
}

/**
 * Decode the vault file with a key from a source that asks nobody. Undefined when `accept`
 * refuses the paths (checked before the key is looked up); throws when there is no key or no
 * intact vault (callers turn that into "undefined"). Synchronous reads on purpose: the process
 * waits for them anyway, and fs/promises (and the thread pool behind it) would cost a one-shot
 * process more than the reads themselves.
 */
export async function openVaultQuietly(
  options: QuickVaultOptions,
  accept: (paths: VaultPaths) => boolean = () => true,
): Promise<({ paths: VaultPaths } & Pick<DecodedVault, "document" | "dataKey">) | undefined> {
  const env = options.env ?? process.env;
  const paths = resolveVaultPaths({ env, ...(options.home ? { home: options.home } : {}) });
  const sources = options.keySources ?? defaultKeySources({ env, account: paths.dir }).sources;
  if (!accept(paths)) return undefined;
  const { vaultKey } = await resolveVaultKey(sources);
  const { document, dataKey } = decodeVaultFile(
    readFileSync(paths.vaultFile),
    parseVaultKey(vaultKey),
    { file: paths.vaultFile },
  );
  return { paths, document, dataKey };
}
