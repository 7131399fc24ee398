import { type ParsedReference, providerError } from "@vaultlink/core/plugin";

export const PROVIDER_ID = "env";

export const REFERENCE_EXAMPLES = ["env://DATABASE_URL", "cmd://gh-token"] as const;

/** `env://NAME` names a variable; `cmd://name` names a command from the `commands` setting. */
export interface EnvReference extends ParsedReference {
  kind: "env" | "cmd";
  name: string;
}

const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const COMMAND = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Offline: checks the shape only. The scheme is case-insensitive; names are kept as written,
 * because variable names are case-sensitive on Linux and macOS.
 */
export function parseEnvReference(input: string): EnvReference {
  const trimmed = typeof input === "string" ? input.trim() : "";
  const match = /^([A-Za-z]+):\/\/(.*)$/.exec(trimmed);
  if (!match) {
    throw invalid(
      trimmed === "" ? "The reference is empty." : `"${trimmed}" has no env:// or cmd:// scheme.`,
    );
  }
  const scheme = (match[1] ?? "").toLowerCase();
  const name = match[2] ?? "";
  if (scheme === "env") {
    if (!VARIABLE.test(name)) {
      throw invalid(
        name === ""
          ? `"${trimmed}" names no variable.`
          : `"${name}" is not a variable name: use letters, digits and '_', not starting with a digit.`,
      );
    }
    return { canonical: `env://${name}`, kind: "env", name };
  }
  if (scheme === "cmd") {
    if (!COMMAND.test(name)) {
      throw invalid(
        name === ""
          ? `"${trimmed}" names no command.`
          : `"${name}" is not a command name: use letters, digits, '.', '_' and '-' (up to 64).`,
      );
    }
    return { canonical: `cmd://${name}`, kind: "cmd", name };
  }
  throw invalid(`"${scheme}://" is not a scheme of this provider; use env:// or cmd://.`);
}

function invalid(message: string) {
  return providerError(PROVIDER_ID, "INVALID_REFERENCE", message, {
    hint: `Write references like ${REFERENCE_EXAMPLES.join(" or ")}.`,
  });
}
