import type { TokenCredential } from "@azure/identity";
import type {
  AuthenticateInput,
  FetchOptions,
  FetchRequest,
  FetchResult,
  ProviderContext,
  ProviderInstance,
  ProviderSession,
} from "@vaultlink/core/plugin";
import { failAll, isVaultlinkError, providerError, reauthHint } from "@vaultlink/core/plugin";
import { createCredential } from "./auth/credential.js";
import { INTERACTIVE_METHODS, isAuthMethodId } from "./auth/methods.js";
import { signIn } from "./auth/sign-in.js";
import { StoredTokenCredential, storedToken } from "./auth/static-token.js";
import { mapAzureError } from "./errors.js";
import { SecretFetcher } from "./fetch.js";
import { META, PROVIDER_ID } from "./meta.js";
import {
  type AzureConfig,
  type AzurePluginOptions,
  DEFAULT_CONCURRENCY,
  resolveConfig,
} from "./settings.js";

/**
 * The agent renews tokens this long before they expire: inside @azure/identity's own
 * five-minute renewal window, so asking the credential again really gets a new token.
 */
export const TOKEN_REFRESH_MARGIN_MS = 4 * 60_000;

/** Settings as a fetch sees them: the stored session's, overridden by the integration's. */
function settingsOf(
  ctx: ProviderContext,
  session: ProviderSession | undefined,
): Record<string, unknown> {
  return { ...(session?.settings ?? {}), ...ctx.integration.settings };
}

/**
 * One integration's live state: the credential and the vault clients built from the
 * current session, rebuilt when the session changes (a reauthentication).
 */
export function createAzureInstance(ctx: ProviderContext): ProviderInstance {
  const pluginOptions = ctx.pluginOptions as AzurePluginOptions;
  /** The session this instance signed in with, and the credential that did it. */
  let own: { session: ProviderSession; credential: TokenCredential } | undefined;
  let live: { session: ProviderSession | undefined; fetcher: SecretFetcher } | undefined;

  const current = () => ctx.session ?? own?.session;

  async function fetcher(session: ProviderSession | undefined): Promise<SecretFetcher> {
    if (live && live.session === session) return live.fetcher;
    live?.fetcher.dispose();
    const settings = settingsOf(ctx, session);
    const config = resolveConfig(settings, pluginOptions);
    const next = new SecretFetcher({
      config,
      credential: () => credentialFor(session, settings, config),
      integration: ctx.integration.id,
      userAgent: `vaultlink-azure/${META.version}`,
      requestTimeoutMs: ctx.requestTimeoutMs,
      concurrency: ctx.concurrency ?? DEFAULT_CONCURRENCY,
    });
    live = { session, fetcher: next };
    return next;
  }

  async function credentialFor(
    session: ProviderSession | undefined,
    settings: Record<string, unknown>,
    config: AzureConfig,
  ): Promise<TokenCredential> {
    const method = ctx.integration.authMethod;
    if (!isAuthMethodId(method)) {
      throw providerError(
        PROVIDER_ID,
        "AUTH_FAILED",
        `Azure Key Vault has no sign-in method "${method}".`,
      );
    }
    if (INTERACTIVE_METHODS.has(method)) {
      // Always the stored token, even right after signing in here: the session's expiry is
      // what the host enforces, so fetches must not outlive it through a silent refresh.
      const token = storedToken(session?.credentials);
      if (!token) {
        throw providerError(
          PROVIDER_ID,
          "AUTH_EXPIRED",
          "There is no stored Azure sign-in to use.",
          {
            hint: reauthHint(ctx.integration.id),
          },
        );
      }
      return new StoredTokenCredential(token, () => ctx.clock.now(), ctx.integration.id);
    }
    // Signed in here a moment ago: its credential already holds a token.
    if (own && own.session === session) return own.credential;
    try {
      return await createCredential({
        method,
        settings,
        secrets: session?.credentials ?? {},
        config,
      });
    } catch (error) {
      // A stored session without what the method needs is a sign-in to redo, not a typo.
      if (isVaultlinkError(error) && error.code === "AUTH_FAILED") {
        throw providerError(
          PROVIDER_ID,
          "AUTH_EXPIRED",
          `The stored Azure sign-in cannot be used: ${error.message}`,
          {
            hint: reauthHint(ctx.integration.id),
          },
        );
      }
      throw error;
    }
  }

  return {
    async authenticate(input: AuthenticateInput): Promise<ProviderSession> {
      const settings = { ...ctx.integration.settings, ...input.settings };
      const config = resolveConfig(settings, pluginOptions);
      own = await signIn(
        { ...input, settings },
        { config, integration: ctx.integration.id, logger: ctx.logger },
      );
      return own.session;
    },

    async fetch(requests: readonly FetchRequest[], options?: FetchOptions): Promise<FetchResult[]> {
      if (requests.length === 0) return [];
      const session = current();
      try {
        const token = INTERACTIVE_METHODS.has(ctx.integration.authMethod)
          ? storedToken(session?.credentials)
          : undefined;
        if (token && ctx.clock.now() >= token.expiresOnTimestamp) {
          throw providerError(PROVIDER_ID, "AUTH_EXPIRED", "The Azure sign-in has expired.", {
            hint: reauthHint(ctx.integration.id),
          });
        }
        return await (await fetcher(session)).fetch(requests, options?.signal);
      } catch (error) {
        return failAll(
          requests.map((r) => r.id),
          error,
        );
      }
    },

    /**
     * The agent's background refresh: tokens of renewable sign-ins (service principal, managed
     * identity, workload identity, CLI) asked for again in their last minutes, so no read
     * waits for Entra ID. Interactive sign-ins hold an access token without a refresh token:
     * nothing to renew. A renewal Azure refuses matters once the current token has expired
     * (then AUTH_EXPIRED); outages are thrown for the host to retry.
     */
    async refreshSession(signal: AbortSignal): Promise<{ nextAt?: number | undefined }> {
      if (INTERACTIVE_METHODS.has(ctx.integration.authMethod) || !live) return {};
      const now = ctx.clock.now();
      const r = await live.fetcher.renewTokens(now, TOKEN_REFRESH_MARGIN_MS, signal);
      if (!r.failure) return { nextAt: r.nextAt };
      const mapped = mapAzureError(r.failure.error, {
        phase: "fetch",
        integration: ctx.integration.id,
      });
      const refused =
        mapped.code === "AUTH_EXPIRED" ||
        mapped.code === "AUTH_FAILED" ||
        mapped.code === "PERMISSION_DENIED";
      if (refused && r.expiresAt !== undefined && now < r.expiresAt) return { nextAt: r.expiresAt };
      throw providerError(PROVIDER_ID, mapped.code, mapped.message, {
        ...(mapped.hint ? { hint: mapped.hint } : {}),
        ...(mapped.details ? { details: mapped.details } : {}),
      });
    },

    dispose(): void {
      live?.fetcher.dispose();
      live = undefined;
    },
  };
}
