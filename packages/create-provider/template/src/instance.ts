import {
  type AuthenticateInput,
  type FetchOptions,
  type FetchRequest,
  type FetchResult,
  type ProviderContext,
  type ProviderInstance,
  type ProviderSession,
  providerError,
  reauthHint,
} from "@vaultlink/core/plugin";
import { signIn } from "./auth/sign-in.js";
import { createClient, type ServiceClient } from "./client.js";
import { fetchSecrets } from "./fetch.js";
import { PROVIDER_ID } from "./meta.js";
import { readSettings, type ServiceSettings } from "./settings.js";

/**
 * One integration's instance: it reads the settings (with core's `ctx.requestTimeoutMs` and
 * `ctx.concurrency`), makes the client on first use, and hands sign-in and fetching to
 * auth/sign-in.ts and fetch.ts.
 */
export function createInstance(ctx: ProviderContext): ProviderInstance {
  // A session this instance signed in itself; the host's stored session (ctx.session) wins.
  let own: ProviderSession | undefined;
  let client: { href: string; made: Promise<ServiceClient> } | undefined;

  function clientFor(settings: ServiceSettings): Promise<ServiceClient> {
    if (client?.href !== settings.base.href) {
      const made = createClient(settings);
      // A client that failed to be made (an SDK that failed to load) is made again next time.
      made.catch(() => {
        if (client?.made === made) client = undefined;
      });
      client = { href: settings.base.href, made };
    }
    return client.made;
  }

  return {
    async authenticate(input: AuthenticateInput): Promise<ProviderSession> {
      // Provider-level settings (url) arrive in input.settings, like the method's own options.
      const settings = readSettings({ ...ctx.integration.settings, ...input.settings }, ctx);
      own = await signIn(input, {
        client: await clientFor(settings),
        integration: ctx.integration.id,
        requestTimeoutMs: settings.requestTimeoutMs,
        clock: ctx.clock,
      });
      return own;
    },

    async fetch(requests: readonly FetchRequest[], options?: FetchOptions): Promise<FetchResult[]> {
      if (requests.length === 0) return [];
      const token = (ctx.session ?? own)?.credentials.token;
      if (typeof token !== "string") {
        throw providerError(PROVIDER_ID, "AUTH_EXPIRED", "The integration is not signed in.", {
          hint: reauthHint(ctx.integration.id),
        });
      }
      const settings = readSettings(ctx.integration.settings, ctx);
      return fetchSecrets(requests, {
        client: await clientFor(settings),
        token,
        integration: ctx.integration.id,
        concurrency: settings.concurrency,
        requestTimeoutMs: settings.requestTimeoutMs,
        ...(options?.signal ? { signal: options.signal } : {}),
      });
    },

    dispose(): void {
      own = undefined;
      client = undefined;
    },
  };
}
