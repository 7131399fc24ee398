import { type ParsedReference, providerError } from "@vaultlink/core/plugin";
import { PROVIDER_ID } from "./meta.js";

/**
 * A link to one key of one KV secret: Postman's Secret Engine, Secret Path and Secret Key.
 *
 * One-string form (docs/providers/hashicorp.md, decision 0300):
 *
 *   <mount>/<path>[?version=N]#<key>      mount = the first path segment
 *   <mount>::<path>[?version=N]#<key>     explicit mount, which may contain "/"
 *
 * `?version=N` (KV v2 only) comes before `#`, as a query comes before a fragment in a URL.
 */
export interface VaultReference extends ParsedReference {
  /** KV engine mount path, without slashes at either end ("secret", "team/kv"). */
  mount: string;
  /** Secret path inside the engine, without data/ ("app/db"). */
  path: string;
  /** Key inside the secret's key/value data. */
  key: string;
}

export const REFERENCE_EXAMPLES = [
  "secret/app/db#password",
  "secret/app/db?version=2#password",
  "kv/legacy/api#token",
  "team/kv::app/db#password",
] as const;

const GRAMMAR_HINT =
  "Write <engine>/<path>#<key> (e.g. secret/app/db#password), <engine>::<path>#<key> for an engine mounted at a path with slashes (team/kv::app/db#password), and ?version=N before # for a KV v2 version.";

/** C0 control characters and DEL: never part of a Vault path or key. */
function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

function invalid(input: string, why: string): never {
  throw providerError(
    PROVIDER_ID,
    "INVALID_REFERENCE",
    `"${input}" is not a Vault reference: ${why}.`,
    {
      hint: GRAMMAR_HINT,
    },
  );
}

function segments(input: string, value: string, what: string): string {
  const trimmed = value.replace(/^\/+|\/+$/g, "");
  if (trimmed === "") invalid(input, `the ${what} is empty`);
  for (const part of trimmed.split("/")) {
    if (part === "") invalid(input, `the ${what} "${trimmed}" has an empty segment ("//")`);
    if (part === "." || part === "..")
      invalid(input, `the ${what} "${trimmed}" contains "${part}"`);
  }
  if (/[?#]/.test(trimmed) || /::/.test(trimmed)) {
    invalid(input, `the ${what} "${trimmed}" contains "?", "#" or "::"`);
  }
  return trimmed;
}

/** Parse and validate a reference without network access. */
export function parseReference(input: string): VaultReference {
  if (typeof input !== "string" || input.trim() === "") invalid(String(input), "it is empty");
  if (hasControlCharacter(input)) invalid(input, "it contains control characters");
  const text = input.trim();
  const hash = text.indexOf("#");
  if (hash === -1) invalid(text, 'the key is missing (add "#<key>", e.g. #password)');
  const key = text.slice(hash + 1);
  if (key === "") invalid(text, 'the key after "#" is empty');
  if (/\?version=\d+$/.test(key)) {
    invalid(text, 'put "?version=N" before "#" (secret/app/db?version=2#password)');
  }
  let location = text.slice(0, hash);
  let version: string | undefined;
  const query = location.indexOf("?");
  if (query !== -1) {
    const match = /^version=(\d+)$/.exec(location.slice(query + 1));
    if (!match) invalid(text, 'the only query it takes is "?version=N" with N a positive integer');
    version = String(Number(match[1]));
    if (version === "0") invalid(text, "versions start at 1");
    location = location.slice(0, query);
  }
  let mount: string;
  let path: string;
  const explicit = location.indexOf("::");
  if (explicit !== -1) {
    mount = segments(text, location.slice(0, explicit), "engine (mount path)");
    path = segments(text, location.slice(explicit + 2), "secret path");
  } else {
    const trimmed = segments(text, location, "secret path");
    const slash = trimmed.indexOf("/");
    if (slash === -1) {
      invalid(
        text,
        `"${trimmed}" names only an engine; add the secret path (${trimmed}/<path>#<key>)`,
      );
    }
    mount = trimmed.slice(0, slash);
    path = trimmed.slice(slash + 1);
  }
  const canonical = formatReference({ mount, path, key, ...(version ? { version } : {}) });
  return { canonical, mount, path, key, ...(version ? { version } : {}) };
}

/** The canonical one-string form. */
export function formatReference(ref: {
  mount: string;
  path: string;
  key: string;
  version?: string | undefined;
}): string {
  const location = ref.mount.includes("/")
    ? `${ref.mount}::${ref.path}`
    : `${ref.mount}/${ref.path}`;
  return `${location}${ref.version ? `?version=${ref.version}` : ""}#${ref.key}`;
}

/**
 * The plugin's `parseVersion` hook: a KV v2 version is a positive whole number (1, 2, 3…).
 * Throws INVALID_REFERENCE otherwise.
 */
export function parseKvVersion(input: string): string {
  const text = input.trim();
  if (!/^[1-9]\d*$/.test(text)) {
    throw providerError(
      PROVIDER_ID,
      "INVALID_REFERENCE",
      `${JSON.stringify(input)} is not a KV version; versions are 1, 2, 3…`,
      { hint: "Give a positive whole number, or leave the version out for the current one." },
    );
  }
  return text;
}
