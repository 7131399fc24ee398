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

/** What `read` reports for a secret it could not resolve (full and quick paths alike). */
export function readUnresolvedError(
  name: string,
  r: Pick<UnresolvedReference, "reason" | "message" | "fix" | "code">,
): CliError {
  return new CliError(`{{vault:${name}}} is unresolved (${r.reason}): ${r.message}`, {
    hint: r.fix,
    exitCode: unresolvedExitCode([r]),
    code: "UNRESOLVED",
  });
}

/** How many unresolved references are listed one per line; the rest are summarised. */
export const UNRESOLVED_LISTED = 20;

/**
 * One error for a set of unresolved references: one line per reference with its fix, for the
 * first UNRESOLVED_LISTED; the rest as one line counting them by reason. The JSON error object
 * (`--json`) carries the whole list in details.unresolved.
 */
export function unresolvedError(list: readonly UnresolvedReference[]): CliError {
  const lines = list
    .slice(0, UNRESOLVED_LISTED)
    .map((u) => `  ${u.written ?? `{{vault:${u.name}}}`} ${u.reason}: ${u.message} Fix: ${u.fix}`);
  const rest = list.slice(UNRESOLVED_LISTED);
  if (rest.length > 0) {
    const byReason = new Map<string, number>();
    for (const u of rest) byReason.set(u.reason, (byReason.get(u.reason) ?? 0) + 1);
    const counts = [...byReason]
      .sort((a, b) => b[1] - a[1])
      .map(([reason, n]) => `${n.toLocaleString("en-US")} ${reason}`)
      .join(", ");
    lines.push(`  … and ${rest.length.toLocaleString("en-US")} more (${counts})`);
  }
  const n = list.length.toLocaleString("en-US");
  const only = list.length === 1 ? list[0] : undefined;
  // One reference: one line, as `read` reports it, with its fix as the hint.
  const message = only
    ? `${only.written ?? `{{vault:${only.name}}}`} is unresolved (${only.reason}): ${only.message}`
    : `${n} references are unresolved:\n${lines.join("\n")}`;
  return new CliError(message, {
    hint: only
      ? `${only.fix} (or pass --allow-unresolved to leave it as written)`
      : "fix them, or pass --allow-unresolved to leave them as written",
    exitCode: unresolvedExitCode(list),
    code: "UNRESOLVED",
    details: {
      unresolved: list.map((u) => ({
        name: u.name,
        ...(u.written ? { written: u.written } : {}),
        reason: u.reason,
        fix: u.fix,
      })),
    },
  });
}
