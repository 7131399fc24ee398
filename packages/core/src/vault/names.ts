import { vaultlinkError } from "../errors/index.js";

/** Letters, digits, `-`, `_` and `.`; 1–128 characters. */
export const SECRET_NAME_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;

export function assertSecretName(name: string): void {
  if (!SECRET_NAME_PATTERN.test(name)) {
    const shown = name.length > 40 ? `${name.slice(0, 40)}…` : name;
    throw vaultlinkError("INVALID_NAME", `"${shown}" is not a valid secret name.`, {
      hint: "Use 1 to 128 letters, digits, '-', '_' or '.' (for example stripe-key).",
    });
  }
}
