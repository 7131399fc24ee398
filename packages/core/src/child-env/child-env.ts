import { VAULT_KEY_ENV } from "../vault/keys/env.js";

/**
 * Environment variables from which vaultlink reads key material: the vault key, and the password
 * of export files. A process vaultlink starts for the user never gets them unless asked for.
 */
export const KEY_MATERIAL_ENV: readonly string[] = [VAULT_KEY_ENV, "VAULTLINK_EXPORT_PASSWORD"];

export interface ChildEnvironmentOptions {
  /** Variables to pass although they hold key material (the user named them). */
  keep?: readonly string[];
  /**
   * Where vaultlink's own key material is read from (default `process.env`): a variable of
   * `env` whose value contains one of these values is removed too, whatever its name.
   */
  keySource?: Readonly<Record<string, string | undefined>>;
}

export interface ChildEnvironment {
  env: Record<string, string>;
  /** Names removed, sorted (never their values). */
  removed: string[];
}

/**
 * The environment for a child process: `env` without vaultlink's key material (the variables
 * in KEY_MATERIAL_ENV, and any variable holding one of their values under another name), apart
 * from the variables in `keep`.
 */
export function childEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  options: ChildEnvironmentOptions = {},
): ChildEnvironment {
  const keep = new Set(options.keep ?? []);
  const source = options.keySource ?? process.env;
  const keyValues = new Set<string>();
  for (const name of KEY_MATERIAL_ENV) {
    for (const value of [source[name], env[name]]) {
      const v = value?.trim();
      // Too short a value would match unrelated variables; a vault key is far longer.
      if (v && v.length >= 8) keyValues.add(v);
    }
  }
  const out: Record<string, string> = {};
  const removed: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    const holdsKey =
      KEY_MATERIAL_ENV.includes(name) || [...keyValues].some((k) => value.includes(k));
    if (holdsKey && !keep.has(name)) removed.push(name);
    else out[name] = value;
  }
  return { env: out, removed: removed.sort() };
}
