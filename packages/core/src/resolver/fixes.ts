import type { UnresolvedReason } from "./types.js";

/**
 * The next step for each reason, as the command a person runs. Hosts that are not the CLI
 * can map `reason` to their own wording.
 */
export function fixFor(
  reason: UnresolvedReason,
  name: string,
  extra: { integration?: string; teamScoped?: boolean; hint?: string; host?: string } = {},
): string {
  switch (reason) {
    case "missing":
      return `add it: vaultlink secret add ${name}`;
    case "empty":
      return `give it a value: vaultlink secret edit ${name}, or link it: vaultlink secret link ${name} <integration> <reference>`;
    case "disabled":
      return `enable it: vaultlink secret enable ${name}`;
    case "domain-not-allowed":
      return extra.host
        ? `if ${extra.host} should receive it, allow it: vaultlink secret domains ${name} --add ${extra.host}`
        : `give the request URL (--url), or allow its host: vaultlink secret domains ${name} --add <host>`;
    case "locked":
      return "unlock the vault: set VAULTLINK_VAULT_KEY, or run vaultlink vault key store";
    case "auth-expired":
      return `run vaultlink integration reauth ${extra.integration ?? "<integration>"}`;
    case "disconnected":
      return extra.teamScoped
        ? `ask a team admin to run vaultlink integration connect ${extra.integration ?? "<integration>"}`
        : `run vaultlink integration connect ${extra.integration ?? "<integration>"}`;
    case "provider-error":
      return extra.hint ?? "run vaultlink doctor for details";
  }
}
