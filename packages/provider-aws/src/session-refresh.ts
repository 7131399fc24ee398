import {
  isVaultlinkError,
  type ProviderContext,
  type ProviderSession,
  providerError,
  reauthHint,
} from "@vaultlink/core/plugin";
import { AUTH_METHOD } from "./auth/methods.js";
import { signIn } from "./auth/sign-in.js";
import { PROVIDER_ID } from "./meta.js";
import { readKeys } from "./session.js";
import { type AwsPluginOptions, text } from "./settings.js";

/**
 * Refresh temporary credentials this long before they expire: as the role sessions of linked
 * roles (ROLE_REFRESH_MARGIN_MS), and well before the SDK's own five-minute window.
 */
export const SESSION_REFRESH_MARGIN_MS = 10 * 60_000;

/**
 * Can the stored session get new temporary credentials without the person? Assume-role with a
 * stored source key, a source profile or the default chain (and no MFA device to answer), a
 * profile of the shared files (SSO, credential_process, role_arn: the SDK resolves it again),
 * and the default chain. An MFA session of an access key (sts:GetSessionToken) needs a new code.
 */
export function canRefresh(method: string, settings: Record<string, unknown>): boolean {
  switch (method) {
    case AUTH_METHOD.assumeRole:
      return text(settings, "mfaSerial") === undefined;
    case AUTH_METHOD.profile:
    case AUTH_METHOD.defaultChain:
      return true;
    default:
      return false;
  }
}

/**
 * Long-lived hosts (the agent): sign in again with what the session keeps, before temporary
 * credentials expire, and store the new session. Long-lived keys have nothing to refresh. A
 * refresh the service refuses (the SSO sign-in ended, the role may no longer be assumed, a
 * profile now needs an MFA code) leaves
 * the session alone while it still works and is tried again when it expires; only then is it
 * AUTH_EXPIRED. Outages are thrown as they are (the host tries again later).
 */
export async function refreshAwsSession(
  ctx: ProviderContext,
  options: AwsPluginOptions,
  signal: AbortSignal,
): Promise<{ nextAt?: number | undefined } | undefined> {
  const session = ctx.session;
  if (!session || !readKeys(session.credentials) || session.expiresAt === undefined) return {};
  const expiresAt = new Date(session.expiresAt).getTime();
  const settings = { ...(session.settings ?? {}), ...ctx.integration.settings };
  const method = ctx.integration.authMethod;
  if (!canRefresh(method, settings)) return {};
  const now = ctx.clock.now();
  const dueAt = expiresAt - SESSION_REFRESH_MARGIN_MS;
  if (now < dueAt) return { nextAt: dueAt };
  let fresh: ProviderSession;
  try {
    fresh = await signIn({
      method,
      settings: {},
      secrets: {},
      previous: session,
      integrationId: ctx.integration.id,
      storedSettings: settings,
      options,
      warn: (message) => ctx.logger.warn(message),
      signal,
    });
  } catch (error) {
    const code = isVaultlinkError(error) ? error.code : undefined;
    const refused =
      code === "AUTH_FAILED" || code === "AUTH_EXPIRED" || code === "PERMISSION_DENIED";
    if (!refused) throw error;
    if (now < expiresAt) return { nextAt: expiresAt };
    throw providerError(
      PROVIDER_ID,
      "AUTH_EXPIRED",
      `The AWS credentials expired and could not be refreshed: ${(error as Error).message}`,
      { hint: reauthHint(ctx.integration.id) },
    );
  }
  await ctx.saveSession(fresh);
  const next = fresh.expiresAt ? new Date(fresh.expiresAt).getTime() : undefined;
  return { nextAt: next === undefined ? undefined : next - SESSION_REFRESH_MARGIN_MS };
}
