import { vaultlinkError } from "../errors/index.js";

/** Letters, digits, `-`, `_` and `.`; 1–128 characters. */
export const SECRET_NAME_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * Names that match the pattern but are refused (docs/decisions/secret-names.md):
 * - a leading `-` reads as an option on a command line (`vaultlink secret get -x`);
 * - `.`, `..` (any name made only of dots) read as paths in file-based tools and exports;
 * - `__proto__`, `constructor`, `prototype` are special to JavaScript objects, which every
 *   host keeps secrets in sooner or later (a Postman script's `pm.vault`, JSON tooling).
 */
const RESERVED = new Set(["__proto__", "constructor", "prototype"]);

/** Why `name` cannot be a secret name, with what to type instead; undefined when it can. */
export function secretNameProblem(name: string): { message: string; hint: string } | undefined {
  const shown = JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}…` : name);
  if (!SECRET_NAME_PATTERN.test(name)) {
    return {
      message: `${shown} is not a valid secret name.`,
      hint: "Use 1 to 128 letters, digits, '-', '_' or '.' (for example stripe-key).",
    };
  }
  if (name.startsWith("-")) {
    return {
      message: `${shown} is not a valid secret name: it starts with '-', which reads as an option.`,
      hint: `Start it with a letter or digit (for example ${name.replace(/^-+/, "") || "stripe-key"}).`,
    };
  }
  if (/^\.+$/.test(name)) {
    return {
      message: `${shown} is not a valid secret name: it is only dots.`,
      hint: "Use letters or digits in it (for example stripe-key).",
    };
  }
  if (RESERVED.has(name)) {
    return {
      message: `${shown} is not a valid secret name: it is reserved in JavaScript objects.`,
      hint: `Pick another name (for example ${name.replace(/_/g, "")}-secret).`,
    };
  }
  return undefined;
}

export function assertSecretName(name: string): void {
  const problem = secretNameProblem(name);
  if (problem) throw vaultlinkError("INVALID_NAME", problem.message, { hint: problem.hint });
}
