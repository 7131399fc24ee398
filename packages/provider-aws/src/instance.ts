import {
  type FetchRequest,
  type FetchResult,
  failAll,
  type ProviderContext,
  type ProviderInstance,
  type ProviderSession,
  providerError,
} from "@vaultlink/core/plugin";
import { signIn } from "./auth/sign-in.js";
import { SecretsManagerClients } from "./client.js";
import { assumeRoleError, reauthHint } from "./errors.js";
import { fetchSecrets } from "./fetch.js";
import { roleOf } from "./link-options.js";
import { PROVIDER_ID } from "./meta.js";
import { RoleSessions } from "./role-sessions.js";
import { readKeys, type StaticKeys } from "./session.js";
import { refreshAwsSession } from "./session-refresh.js";
import { readPluginOptions, text } from "./settings.js";

/**
 * One AWS integration: Secrets Manager clients per role (built on first use), the sign-in,
 * and fetches grouped by the role their link names.
 */
export function createInstance(ctx: ProviderContext): ProviderInstance {
  const options = readPluginOptions(ctx);
  // The integration's own keys: clients and the batch flag. Each linked role (--role-arn) has
  // its own, so a role's keys never evict the integration's clients.
  const clients = new SecretsManagerClients(options);
  const batch = { denied: false };
  const roles = new RoleSessions(options, ctx.clock);
  const byRole = new Map<string, { clients: SecretsManagerClients; batch: { denied: boolean } }>();
  const forRole = (roleArn: string) => {
    let own = byRole.get(roleArn);
    if (!own) {
      own = { clients: new SecretsManagerClients(options), batch: { denied: false } };
      byRole.set(roleArn, own);
    }
    return own;
  };
  // The session the host stored wins (it may have replaced ours); without one, the session
  // this instance signed in itself.
  let signedIn: { session: ProviderSession; settings: Record<string, unknown> } | undefined;

  const expired = (requests: readonly FetchRequest[], message: string): FetchResult[] =>
    failAll(
      requests.map((r) => r.id),
      providerError(PROVIDER_ID, "AUTH_EXPIRED", message, { hint: reauthHint(ctx.integration.id) }),
    );

  return {
    async authenticate(input) {
      const session = await signIn({
        ...input,
        integrationId: ctx.integration.id,
        storedSettings: ctx.integration.settings,
        options,
        warn: (message) => {
          ctx.logger.warn(message);
          input.notify?.(message);
        },
      });
      signedIn = { session, settings: { ...ctx.integration.settings, ...input.settings } };
      return session;
    },

    async fetch(requests, fetchOptions) {
      if (requests.length === 0) return [];
      const own = ctx.session === undefined ? signedIn : undefined;
      const session = ctx.session ?? own?.session;
      const keys = readKeys(session?.credentials);
      if (!session || !keys) {
        return expired(requests, "The AWS integration has no stored credentials.");
      }
      // Known-dead credentials: answer without a round trip to AWS. (A host that kept the
      // session as JSON may hand back an ISO string; new Date() takes both.)
      const expiresAt = session.expiresAt ? new Date(session.expiresAt) : undefined;
      if (expiresAt && expiresAt.getTime() <= ctx.clock.now()) {
        return expired(requests, `The AWS credentials expired at ${expiresAt.toISOString()}.`);
      }
      const settings = own
        ? { ...own.settings, ...own.session.settings }
        : { ...session.settings, ...ctx.integration.settings };
      const region = text(settings, "region");
      const endpoint = text(settings, "endpoint");
      const base = {
        integrationId: ctx.integration.id,
        region,
        endpoint,
        concurrency: options.concurrency,
        logger: ctx.logger,
        signal: fetchOptions?.signal,
      };
      // Requests grouped by the role their link names: batching stays within one role, and
      // each role is assumed once (its session is kept and renewed before it expires).
      const groups = new Map<string | undefined, FetchRequest[]>();
      for (const request of requests) {
        const role = roleOf(request.options);
        groups.set(role, [...(groups.get(role) ?? []), request]);
      }
      const answered = await Promise.all(
        [...groups].map(async ([role, group]) => {
          if (role === undefined) return fetchSecrets(group, { ...base, clients, keys, batch });
          let roleKeys: StaticKeys;
          try {
            roleKeys = await roles.get(role, keys, region, endpoint);
          } catch (error) {
            return failAll(
              group.map((r) => r.id),
              assumeRoleError(error, ctx.integration.id, role),
            );
          }
          return fetchSecrets(group, { ...base, ...forRole(role), keys: roleKeys });
        }),
      );
      return answered.flat();
    },

    /** The agent's background renewal: new temporary credentials before these expire. */
    refreshSession(signal) {
      return refreshAwsSession(ctx, options, signal);
    },

    dispose() {
      clients.dispose();
      for (const own of byRole.values()) own.clients.dispose();
      byRole.clear();
      roles.clear();
    },
  };
}
