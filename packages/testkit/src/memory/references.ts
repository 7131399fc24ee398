import { type ParsedReference, vaultlinkError } from "@vaultlink/core/plugin";

/** Letters, digits, `-`, `_`, `.`, with `/` between segments (no empty segments). */
const NAME_PATTERN = /^[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)*$/;
const VERSION_PATTERN = /^[A-Za-z0-9_.-]+$/;
const SCHEME = "mem://";
const MAX_NAME_LENGTH = 256;

export const MEMORY_REFERENCE_EXAMPLES = ["mem://db/password", "mem://api-key#2"] as const;

export interface MemoryReference extends ParsedReference {
  name: string;
}

export function assertMemoryName(name: string): void {
  if (!NAME_PATTERN.test(name) || name.length > MAX_NAME_LENGTH) {
    throw invalid(
      `"${name}" is not a valid memory secret name: use letters, digits, "-", "_", "." and "/" between non-empty segments (at most ${MAX_NAME_LENGTH} characters).`,
    );
  }
}

/** `mem://<name>` with an optional `#<version>`; the scheme is case-insensitive. */
export function parseMemoryReference(input: string): MemoryReference {
  if (typeof input !== "string" || input.trim() === "") {
    throw invalid("The memory reference is empty; expected mem://<name>, e.g. mem://db/password.");
  }
  const text = input.trim();
  if (text.slice(0, SCHEME.length).toLowerCase() !== SCHEME) {
    throw invalid(
      `"${text}" is not a memory reference: it must start with mem://, e.g. mem://db/password.`,
    );
  }
  const rest = text.slice(SCHEME.length);
  const hash = rest.indexOf("#");
  const name = hash === -1 ? rest : rest.slice(0, hash);
  const version = hash === -1 ? undefined : rest.slice(hash + 1);
  if (name === "") throw invalid(`"${text}" names no secret after mem://.`);
  assertMemoryName(name);
  if (version !== undefined && !VERSION_PATTERN.test(version)) {
    throw invalid(
      `"${text}" has an invalid version after "#": use letters, digits, "-", "_" or ".".`,
    );
  }
  return version === undefined
    ? { canonical: `${SCHEME}${name}`, name }
    : { canonical: `${SCHEME}${name}#${version}`, name, version };
}

function invalid(message: string) {
  return vaultlinkError("INVALID_REFERENCE", message, {
    provider: "memory",
    hint: `Write the reference like ${MEMORY_REFERENCE_EXAMPLES.join(" or ")}.`,
  });
}
