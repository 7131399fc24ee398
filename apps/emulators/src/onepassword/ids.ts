import { randomInt } from "node:crypto";

const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/**
 * A 1Password-style id: 26 characters of a-z and 0-9. The Connect SDK tells ids from titles
 * with exactly this pattern, so anything else would be looked up as a title.
 */
export function newId(): string {
  let id = "";
  for (let i = 0; i < 26; i++) id += ALPHABET[randomInt(ALPHABET.length)];
  return id;
}

export const ID_PATTERN = /^[a-z0-9]{26}$/;
