import type { UnresolvedReference } from "@vaultlink/core";
import { CliError, ExitCode } from "./errors.js";

/**
 * The exit code for unresolved references: 4 when every one needs a sign-in (expired or
 * disconnected integration), 5 when every one failed because the provider was unreachable or
 * throttling, else 3.
 */
export function unresolvedExitCode(
  list: readonly Pick<UnresolvedReference, "reason" | "code">[],
): number {
  const codes = new Set(
    list.map((u) =>
      u.reason === "auth-expired" ||
      u.reason === "disconnected" ||
      u.code === "AUTH_EXPIRED" ||
      u.code === "AUTH_FAILED"
        ? ExitCode.auth
        : u.code === "UNREACHABLE" || u.code === "THROTTLED"
          ? ExitCode.unreachable
          : ExitCode.unresolved,
    ),
  );
  return codes.size === 1 ? ([...codes][0] ?? ExitCode.unresolved) : ExitCode.unresolved;
}

/** One error for a set of unresolved references: one line per reference, with its fix. */
export function unresolvedError(list: readonly UnresolvedReference[]): CliError {
  const lines = list.map(
    (u) => `  ${u.written ?? `{{vault:${u.name}}}`} ${u.reason}: ${u.message} Fix: ${u.fix}`,
  );
  const head =
    list.length === 1 ? "1 reference is unresolved" : `${list.length} references are unresolved`;
  return new CliError(`${head}:\n${lines.join("\n")}`, {
    hint: "fix them, or pass --allow-unresolved to leave them as written",
    exitCode: unresolvedExitCode(list),
    code: "UNRESOLVED",
  });
}
