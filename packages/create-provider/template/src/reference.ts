import { type ParsedReference, providerError } from "@vaultlink/core/plugin";
import { PROVIDER_ID } from "./meta.js";

/** References look like `<id>://<secret name>`; the scheme is case-insensitive. */
export const SCHEME = `${PROVIDER_ID}://`;
export const REFERENCE_EXAMPLES = [`${SCHEME}db/password`, `${SCHEME}payments/api-key`];

/** What `fetch` gets back for a parsed reference: the secret's name in the service. */
export interface ServiceReference extends ParsedReference {
  name: string;
}

const PART = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const MAX_NAME_LENGTH = 256;

/**
 * Offline: checks the shape of a reference and returns its one canonical spelling. Never
 * calls the service; whether the secret exists is for `fetch` to say (NOT_FOUND).
 */
export function parseServiceReference(input: string): ServiceReference {
  const trimmed = typeof input === "string" ? input.trim() : "";
  if (trimmed === "") throw invalid("The reference is empty.");
  if (!trimmed.toLowerCase().startsWith(SCHEME)) {
    throw invalid(`"${trimmed}" does not start with ${SCHEME}.`);
  }
  const name = trimmed.slice(SCHEME.length);
  if (name === "") throw invalid(`"${trimmed}" names no secret.`);
  if (name.length > MAX_NAME_LENGTH || !name.split("/").every((part) => PART.test(part))) {
    throw invalid(
      `"${name}" is not a secret name: use letters, digits, '.', '_' and '-', with '/' between parts (up to ${MAX_NAME_LENGTH} characters).`,
    );
  }
  return { canonical: `${SCHEME}${name}`, name };
}

function invalid(message: string) {
  return providerError(PROVIDER_ID, "INVALID_REFERENCE", message, {
    hint: `Write references like ${REFERENCE_EXAMPLES.join(" or ")}.`,
  });
}
