import { createRequire } from "node:module";
import {
  defineProvider,
  failAll,
  type ProviderContext,
  type ProviderInstance,
  type ProviderSession,
  providerError,
} from "@vaultlink/core/plugin";
import { fetchAll } from "./fetch.js";
import { PROVIDER_ID, parseEnvReference, REFERENCE_EXAMPLES } from "./reference.js";
import { reauthHint, sessionProblem, signIn } from "./session.js";
import { AUTH_METHODS, readSettings, SETTINGS } from "./settings.js";

export { hashPassphrase } from "./passphrase.js";
export type { EnvReference } from "./reference.js";

const pkg = createRequire(import.meta.url)("../package.json") as { name: string; version: string };

function createInstance(ctx: ProviderContext): ProviderInstance {
  // Core parses `concurrency` (integration setting, else plugin option); 4 when neither is set.
  const concurrency = ctx.concurrency ?? 4;
  // A session this instance signed in itself; the host's stored session wins when it has one.
  let own: { session: ProviderSession; settings: Record<string, unknown> } | undefined;

  return {
    async authenticate(input) {
      const session = await signIn(input, ctx.clock);
      own = { session, settings: { ...ctx.integration.settings, ...input.settings } };
      return session;
    },

    async fetch(requests) {
      if (requests.length === 0) return [];
      const session = ctx.session ?? own?.session;
      const raw = {
        ...own?.settings,
        ...session?.settings,
        ...ctx.integration.settings,
      };
      const problem = sessionProblem(ctx.integration.authMethod, session, raw.tokenHash, ctx.clock);
      if (problem) {
        throw providerError(PROVIDER_ID, "AUTH_EXPIRED", problem, {
          hint: reauthHint(ctx.integration.id),
        });
      }
      let settings: ReturnType<typeof readSettings>;
      try {
        settings = readSettings(raw);
      } catch (error) {
        return failAll(
          requests.map((r) => r.id),
          error,
        );
      }
      return fetchAll(requests, {
        settings,
        clock: ctx.clock,
        logger: ctx.logger,
        concurrency,
      });
    },

    dispose() {
      own = undefined;
    },
  };
}

/** Secrets from environment variables, dotenv files and commands' output. */
export default defineProvider({
  apiVersion: 1,
  meta: { name: pkg.name, version: pkg.version },
  id: PROVIDER_ID,
  title: "Environment and commands",
  authMethods: AUTH_METHODS,
  settings: SETTINGS,
  capabilities: { batch: true, versions: false, jsonKey: true },
  referenceExamples: REFERENCE_EXAMPLES,
  parseReference: parseEnvReference,
  create: createInstance,
});
