import type { KeySource, WritableKeySource } from "../types.js";
import { envKeySource } from "./env.js";
import { keychainKeySource } from "./keychain.js";
import { promptKeySource } from "./prompt.js";

export interface DefaultKeySourcesOptions {
  /** The vault directory: the keychain entry of this vault. */
  account: string;
  /** Environment holding VAULTLINK_VAULT_KEY; default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Ask the person (last source); left out, nobody is asked. */
  prompt?: {
    ask: () => Promise<string | undefined>;
    /** Whether asking is possible now (a terminal); default always. */
    available?: () => boolean;
    unavailableReason?: string;
  };
}

/** The key sources in unlock order: env, the OS keychain entry of this vault, then a prompt. */
export function defaultKeySources(options: DefaultKeySourcesOptions): {
  sources: KeySource[];
  keychain: WritableKeySource;
} {
  const env = options.env ?? process.env;
  const keychain = keychainKeySource({ env, account: options.account });
  const { prompt } = options;
  return {
    keychain,
    sources: [
      envKeySource(env),
      keychain,
      ...(prompt
        ? [
            promptKeySource(prompt.ask, {
              ...(prompt.available ? { available: prompt.available } : {}),
              ...(prompt.unavailableReason ? { unavailableReason: prompt.unavailableReason } : {}),
            }),
          ]
        : []),
    ],
  };
}
