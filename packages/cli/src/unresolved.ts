import type { UnresolvedReference } from "@vaultlink/core";
import { CliError, ExitCode } from "./errors.js";

/** One error for a set of unresolved references: one line per reference, with its fix. */
export function unresolvedError(list: readonly UnresolvedReference[]): CliError {
  const lines = list.map((u) => `  {{vault:${u.name}}} ${u.reason}: ${u.message} Fix: ${u.fix}`);
  const head =
    list.length === 1 ? "1 reference is unresolved" : `${list.length} references are unresolved`;
  return new CliError(`${head}:\n${lines.join("\n")}`, {
    hint: "fix them, or pass --allow-unresolved to leave them as written",
    exitCode: ExitCode.unresolved,
    code: "UNRESOLVED",
  });
}
