import type { UnresolvedReason } from "./types.js";

/**
 * The next step for each reason, as the command a person runs. Hosts that are not the CLI
 * can map `reason` to their own wording.
 */
export function fixFor(
  reason: UnresolvedReason,
  name: string,
  extra: {
    integration?: string;
    teamScoped?: boolean;
    hint?: string;
    host?: string;
    /** For a missing name: the name it was renamed to. */
    renamedTo?: string;
    /** For provider errors: the provider's error code and the linked reference. */
    code?: string;
    reference?: string;
  } = {},
): string {
  switch (reason) {
    case "missing":
      return extra.renamedTo
        ? `use the new name, {{vault:${extra.renamedTo}}}, or rename it back: vaultlink secret rename ${extra.renamedTo} ${name}`
        : `add it: vaultlink secret add ${name}`;
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
        ? `ask a team admin to set it up again, then join: vaultlink integration join ${extra.integration ?? "<integration>"} <join code>`
        : `run vaultlink integration connect ${extra.integration ?? "<integration>"}`;
    case "provider-error":
      return extra.hint ?? providerErrorFix(name, extra);
    case "malformed":
      return "write it as {{vault:<name>}}, with a name of letters, digits, '-', '_' or '.', closed by }}";
  }
}

/** The next step for a provider error whose plugin gave no hint, from its code. */
function providerErrorFix(
  name: string,
  extra: { integration?: string; code?: string; reference?: string },
): string {
  const id = extra.integration ?? "<integration>";
  const reference = extra.reference ?? "<reference>";
  switch (extra.code) {
    case "UNREACHABLE":
      return `make sure this machine reaches the provider (network, proxy, firewall, IP allowlist), and check the address in vaultlink integration status ${id}`;
    case "THROTTLED":
      return "the provider is throttling requests: wait a moment and try again (a longer cache-ttl means fewer requests)";
    case "PERMISSION_DENIED":
      return `ask the provider's admin to let the signed-in identity read ${reference}`;
    case "AUTH_EXPIRED":
    case "AUTH_FAILED":
      return `run vaultlink integration reauth ${id}`;
    case "NOT_FOUND":
    case "INVALID_REFERENCE":
      return `check that ${reference} exists, or link the right one: vaultlink secret link ${name} ${id} <reference>`;
    default:
      // An unexpected answer (a 500, say) is the provider's own failure, not the setup's.
      return `the provider reported an error of its own: try again in a moment; if it keeps failing, check the provider's service status (vaultlink integration status ${id} shows this integration)`;
  }
}
