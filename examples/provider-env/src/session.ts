import {
  type AuthenticateInput,
  type Clock,
  type ProviderSession,
  providerError,
} from "@vaultlink/core/plugin";
import { checkPassphrase, hashTag } from "./passphrase.js";
import { PROVIDER_ID } from "./reference.js";

const DEFAULT_TTL_SECONDS = 3600;

/** Sign in with "none" (nothing to check) or "passphrase" (checked against tokenHash). */
export async function signIn(input: AuthenticateInput, clock: Clock): Promise<ProviderSession> {
  if (input.method === "none") {
    return { credentials: { method: "none" }, identity: "the current user's environment" };
  }
  if (input.method !== "passphrase") {
    throw providerError(PROVIDER_ID, "AUTH_FAILED", `There is no auth method "${input.method}".`, {
      hint: "Use the method none or passphrase.",
    });
  }
  const token = input.secrets.token;
  const stored = input.settings.tokenHash;
  if (typeof token !== "string" || token === "") {
    throw providerError(PROVIDER_ID, "AUTH_FAILED", "No passphrase was given.", {
      hint: "Enter it at the prompt, or set VAULTLINK_ENV_TOKEN.",
    });
  }
  if (typeof stored !== "string") {
    throw providerError(PROVIDER_ID, "AUTH_FAILED", 'The "tokenHash" option is missing.', {
      hint: "Make one with hashPassphrase() from vaultlink-provider-env.",
    });
  }
  const ok = await checkPassphrase(token, stored);
  if (ok === undefined) {
    throw providerError(
      PROVIDER_ID,
      "AUTH_FAILED",
      'The "tokenHash" option is not an scrypt hash.',
      {
        hint: "It looks like scrypt:<32 hex>:<64 hex>; make one with hashPassphrase().",
      },
    );
  }
  if (!ok) {
    throw providerError(PROVIDER_ID, "AUTH_FAILED", "The passphrase is wrong.", {
      hint: "Sign in again with the passphrase that tokenHash was made from.",
    });
  }
  const ttl = Number(input.settings.sessionTtlSeconds ?? DEFAULT_TTL_SECONDS);
  const seconds = Number.isFinite(ttl) && ttl > 0 ? ttl : DEFAULT_TTL_SECONDS;
  return {
    credentials: { method: "passphrase", hashTag: hashTag(stored) },
    expiresAt: new Date(clock.now() + seconds * 1000),
    settings: { tokenHash: stored },
    identity: "passphrase holder",
  };
}

/**
 * Why the session cannot be used, or undefined when it can. Checked before every fetch, so
 * an expired session fails at once and the host asks the person to sign in again.
 */
export function sessionProblem(
  method: string,
  session: ProviderSession | undefined,
  currentHash: unknown,
  clock: Clock,
): string | undefined {
  if (method === "none") return undefined;
  if (session?.credentials.method !== "passphrase") {
    return "The env integration is not signed in.";
  }
  if (session.expiresAt && session.expiresAt.getTime() <= clock.now()) {
    return `The passphrase session expired at ${session.expiresAt.toISOString()}.`;
  }
  if (typeof currentHash === "string" && hashTag(currentHash) !== session.credentials.hashTag) {
    return "The passphrase was changed since this session began.";
  }
  return undefined;
}

export function reauthHint(integrationId: string): string {
  return `Sign in again: vaultlink integration reauth ${integrationId}.`;
}
