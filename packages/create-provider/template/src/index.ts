import { createRequire } from "node:module";
import {
  defineProvider,
  type FetchRequest,
  type FetchResult,
  failure,
  mapWithConcurrency,
  type ProviderContext,
  type ProviderInstance,
  type ProviderSession,
  providerError,
  reauthHint,
} from "@vaultlink/core/plugin";
import { readSecret, serviceUrl, signIn } from "./client.js";
import {
  PROVIDER_ID,
  parseServiceReference,
  REFERENCE_EXAMPLES,
  type ServiceReference,
} from "./reference.js";

export { parseServiceReference } from "./reference.js";

const pkg = createRequire(import.meta.url)("../package.json") as { name: string; version: string };

/** The variable the API key is read from when it is set (the CLI prompts otherwise). */
export const API_KEY_ENV = "__API_KEY_ENV__";
/** Secrets fetched at the same time, per fetch call. */
const CONCURRENCY = 4;

function createInstance(ctx: ProviderContext): ProviderInstance {
  // A session this instance signed in itself; the host's stored session (ctx.session) wins.
  let own: ProviderSession | undefined;

  return {
    async authenticate(input) {
      // Provider-level settings (url) arrive in input.settings, like the method's own options.
      const base = serviceUrl(input.settings.url ?? ctx.integration.settings.url);
      const apiKey = input.secrets.apiKey;
      if (typeof apiKey !== "string" || apiKey === "") {
        throw providerError(PROVIDER_ID, "AUTH_FAILED", "No API key was given.", {
          hint: `Enter it at the prompt, or set ${API_KEY_ENV}.`,
        });
      }
      const issued = await signIn(base, apiKey, input.signal);
      own = {
        credentials: { token: issued.token },
        ...(issued.expiresInSeconds
          ? { expiresAt: new Date(ctx.clock.now() + issued.expiresInSeconds * 1000) }
          : {}),
        ...(issued.identity ? { identity: issued.identity } : {}),
      };
      return own;
    },

    async fetch(requests, options) {
      if (requests.length === 0) return [];
      const token = (ctx.session ?? own)?.credentials.token;
      if (typeof token !== "string") {
        throw providerError(PROVIDER_ID, "AUTH_EXPIRED", "The integration is not signed in.", {
          hint: reauthHint(ctx.integration.id),
        });
      }
      const base = serviceUrl(ctx.integration.settings.url);
      return mapWithConcurrency(requests, CONCURRENCY, (request) =>
        fetchOne(base, token, request, ctx.integration.id, options?.signal),
      );
    },

    dispose() {
      own = undefined;
    },
  };
}

/** One request's result. A 401 means the session is dead: the whole call fails AUTH_EXPIRED. */
async function fetchOne(
  base: URL,
  token: string,
  request: FetchRequest,
  integrationId: string,
  signal: AbortSignal | undefined,
): Promise<FetchResult> {
  const { name } = request.reference as ServiceReference;
  const got = await readSecret(base, token, name, signal);
  if (got.ok) return { id: request.id, ok: true, value: got.value };
  switch (got.status) {
    case 401:
      throw providerError(
        PROVIDER_ID,
        "AUTH_EXPIRED",
        `${base.host} no longer accepts the session.`,
        {
          hint: reauthHint(integrationId),
        },
      );
    case 403:
      return failure(request.id, "PERMISSION_DENIED", `Not allowed to read ${name}.`, {
        hint: "Ask the service's admin to grant this API key access to it.",
      });
    case 404:
      return failure(request.id, "NOT_FOUND", `There is no secret ${name}.`, {
        hint: "Check the name, or create the secret in the service.",
      });
    case 429:
      return failure(request.id, "THROTTLED", `${base.host} is limiting requests.`, {
        hint: `Try again${got.retryAfterSeconds ? ` in ${got.retryAfterSeconds} s` : " later"}.`,
      });
    default:
      return failure(request.id, "PROVIDER_ERROR", `${base.host} answered HTTP ${got.status}.`, {
        hint: "Try again; check the service's status if it keeps failing.",
      });
  }
}

/** __PROVIDER_TITLE__: secrets from an HTTP secrets service. */
export default defineProvider({
  apiVersion: 1,
  meta: { name: pkg.name, version: pkg.version },
  id: PROVIDER_ID,
  title: "__PROVIDER_TITLE__",
  authMethods: [
    {
      id: "api-key",
      title: "API key",
      description: "Exchange an API key for a session token.",
      options: [
        {
          name: "apiKey",
          title: "API key",
          type: "string",
          secret: true,
          required: true,
          env: API_KEY_ENV,
        },
      ],
    },
  ],
  settings: [
    {
      name: "url",
      title: "Service URL",
      type: "string",
      required: true,
      description: "The base URL of the secrets service (https://secrets.example.com).",
    },
  ],
  capabilities: { batch: false, versions: false, jsonKey: true },
  referenceExamples: REFERENCE_EXAMPLES,
  parseReference: parseServiceReference,
  create: createInstance,
});
