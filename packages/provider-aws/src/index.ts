import { createRequire } from "node:module";
import {
  defineProvider,
  type FetchRequest,
  type FetchResult,
  failAll,
  type ProviderContext,
  type ProviderInstance,
  type ProviderSession,
  providerError,
} from "@vaultlink/core/plugin";
import { signIn } from "./auth/authenticate.js";
import { SecretsManagerClients } from "./clients.js";
import { reauthHint } from "./errors.js";
import { fetchSecrets } from "./fetch.js";
import { AUTH_METHODS, readPluginOptions, SETTINGS, text } from "./options.js";
import { PROVIDER_ID, parseAwsReference, REFERENCE_EXAMPLES } from "./reference.js";
import { readKeys } from "./session.js";
import { checkAwsVersion } from "./version.js";

const pkg = createRequire(import.meta.url)("../package.json") as { name: string; version: string };

function createInstance(ctx: ProviderContext): ProviderInstance {
  const options = readPluginOptions(ctx.pluginOptions, ctx.requestTimeoutMs);
  const clients = new SecretsManagerClients(options);
  const batch = { denied: false };
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
      return fetchSecrets(requests, {
        integrationId: ctx.integration.id,
        clients,
        keys,
        region: text(settings, "region"),
        endpoint: text(settings, "endpoint"),
        concurrency: options.concurrency,
        logger: ctx.logger,
        batch,
        signal: fetchOptions?.signal,
      });
    },

    dispose() {
      clients.dispose();
    },
  };
}

/** AWS Secrets Manager: secrets by ARN or name, through the AWS SDK for JavaScript v3. */
const awsProvider = defineProvider({
  apiVersion: 1,
  meta: { name: pkg.name, version: pkg.version },
  id: PROVIDER_ID,
  title: "AWS Secrets Manager",
  scope: "personal",
  authMethods: AUTH_METHODS,
  settings: SETTINGS,
  capabilities: { batch: true, versions: true, jsonKey: true, binary: true },
  referenceExamples: REFERENCE_EXAMPLES,
  parseReference: parseAwsReference,
  parseVersion: checkAwsVersion,
  create: createInstance,
});

export default awsProvider;
export { type MappedError, mapAwsError } from "./errors.js";
export { AUTH_METHOD, type AwsPluginOptions } from "./options.js";
export { type AwsReference, parseAwsReference } from "./reference.js";
export { checkAwsVersion, parseVersion, type VersionSelector } from "./version.js";
