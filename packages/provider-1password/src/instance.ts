import type { OPConnect } from "@1password/connect";
import type { Client } from "@1password/sdk";
import {
  type AuthenticateInput,
  errorFrom,
  type FetchRequest,
  type FetchResult,
  failAll,
  type ProviderContext,
  type ProviderInstance,
  type ProviderSession,
  providerError,
  retryWhileThrottled,
  throttleRetryOf,
} from "@vaultlink/core/plugin";
import { checkConnectToken } from "./auth/connect.js";
import { checkAccount } from "./auth/desktop.js";
import {
  AUTH_METHODS,
  CONNECT_METHOD,
  DESKTOP_METHOD,
  SERVICE_ACCOUNT_METHOD,
} from "./auth/methods.js";
import { checkServiceAccountToken } from "./auth/service-account.js";
import { createConnectClient, createSdkClient, type SdkAuth } from "./client.js";
import { readWithConnect } from "./connect/read.js";
import { isSdkRateLimit, type MappedError, mapConnectError, mapSdkError } from "./errors.js";
import { parseRequests } from "./fetch.js";
import { PROVIDER_ID } from "./meta.js";
import { resolveWithSdk } from "./sdk/resolve.js";
import { type ConnectSettings, connectSettings } from "./settings.js";

/** What the instance signs in with: the method and its settings and credentials. */
interface SignIn {
  method: string;
  settings: Record<string, unknown>;
  credentials: Record<string, unknown>;
}

// The SDK's error is not kept as `cause`: axios errors carry the request config, and the
// mapped message already says what failed.
const thrown = (mapped: MappedError) => errorFrom(PROVIDER_ID, mapped);

/**
 * One signed-in 1Password integration. Clients are built lazily on the first fetch and kept
 * for the instance's life; any whole-call failure drops them so the next call starts afresh.
 */
export class OnePasswordInstance implements ProviderInstance {
  readonly #ctx: ProviderContext;
  readonly #version: string;
  #signIn: SignIn | undefined;
  #sdk: Promise<Client> | undefined;
  #connect: { client: OPConnect; settings: ConnectSettings } | undefined;

  constructor(ctx: ProviderContext, version: string) {
    this.#ctx = ctx;
    this.#version = version;
    if (ctx.session) {
      this.#signIn = {
        method: ctx.integration.authMethod,
        settings: { ...ctx.integration.settings, ...ctx.session.settings },
        credentials: ctx.session.credentials,
      };
    }
  }

  async authenticate(input: AuthenticateInput): Promise<ProviderSession> {
    const settings = { ...input.settings };
    switch (input.method) {
      case SERVICE_ACCOUNT_METHOD.id: {
        const { signInAddress } = checkServiceAccountToken(input.secrets.token);
        const token = String(input.secrets.token).trim();
        const client = await this.#buildSdk({ kind: "token", token }, "authenticate");
        this.#use({ method: input.method, settings, credentials: { token } });
        this.#sdk = Promise.resolve(client);
        return { credentials: { token }, identity: `service account on ${signInAddress}` };
      }
      case DESKTOP_METHOD.id: {
        const account = checkAccount(input.settings.account);
        const client = await this.#buildSdk({ kind: "desktop", account }, "authenticate");
        this.#use({ method: input.method, settings: { ...settings, account }, credentials: {} });
        this.#sdk = Promise.resolve(client);
        return {
          credentials: {},
          settings: { account },
          identity: `1Password desktop app, account ${account}`,
        };
      }
      case CONNECT_METHOD.id: {
        const resolved = connectSettings(input.settings, this.#ctx);
        const token = checkConnectToken(input.secrets.token);
        const client = await createConnectClient(resolved, token);
        try {
          // The cheapest call that needs a valid token.
          await client.listVaults();
        } catch (error) {
          throw thrown(mapConnectError(error, { host: resolved.host, vault: "" }, "authenticate"));
        }
        this.#use({ method: input.method, settings, credentials: { token } });
        this.#connect = { client, settings: resolved };
        return {
          credentials: { token },
          settings: { host: resolved.host },
          identity: `Connect server at ${resolved.host}`,
        };
      }
      default:
        throw providerError(
          PROVIDER_ID,
          "AUTH_FAILED",
          `1Password has no sign-in method "${input.method}".`,
          {
            hint: `Use one of: ${AUTH_METHODS.map((m) => m.id).join(", ")}.`,
          },
        );
    }
  }

  async fetch(requests: readonly FetchRequest[]): Promise<FetchResult[]> {
    const { valid, rejected } = parseRequests(requests);
    if (valid.length === 0) return rejected;
    const ids = valid.map((r) => r.id);
    const signIn = this.#signIn;
    if (!signIn) {
      return [
        ...rejected,
        ...failAll(
          ids,
          providerError(
            PROVIDER_ID,
            "AUTH_EXPIRED",
            "This 1Password integration has not signed in yet.",
            {
              hint: "Sign in: vaultlink integration reauth <integration>.",
            },
          ),
        ),
      ];
    }
    const backoff = throttleRetryOf(this.#ctx.pluginOptions);
    try {
      if (signIn.method === CONNECT_METHOD.id) {
        const { client, settings } = await this.#connectClient(signIn);
        this.#ctx.logger.debug("1Password Connect read", { references: valid.length });
        return [...rejected, ...(await readWithConnect(client, { ...settings, backoff }, valid))];
      }
      const client = await this.#sdkClient(signIn);
      this.#ctx.logger.debug("1Password resolveAll", { references: valid.length });
      try {
        const resolved = await retryWhileThrottled(
          () => resolveWithSdk(client, valid),
          isSdkRateLimit,
          backoff,
          (retry) =>
            this.#ctx.logger.debug("1Password rate-limited resolveAll; retrying", { retry }),
        );
        return [...rejected, ...resolved];
      } catch (error) {
        throw thrown(mapSdkError(error, "fetch"));
      }
    } catch (error) {
      // The client may hold a dead session; build a new one next time.
      this.#sdk = undefined;
      this.#connect = undefined;
      return [...rejected, ...failAll(ids, error)];
    }
  }

  dispose(): void {
    this.#sdk = undefined;
    this.#connect = undefined;
  }

  #use(signIn: SignIn): void {
    this.#signIn = signIn;
    this.#sdk = undefined;
    this.#connect = undefined;
  }

  async #buildSdk(auth: SdkAuth, phase: "authenticate" | "fetch"): Promise<Client> {
    try {
      return await createSdkClient(this.#ctx, auth, this.#version);
    } catch (error) {
      throw thrown(mapSdkError(error, phase));
    }
  }

  #sdkClient(signIn: SignIn): Promise<Client> {
    if (!this.#sdk) {
      const auth: SdkAuth =
        signIn.method === DESKTOP_METHOD.id
          ? { kind: "desktop", account: checkAccount(signIn.settings.account) }
          : { kind: "token", token: storedToken(signIn, "service account token") };
      this.#sdk = this.#buildSdk(auth, "fetch");
    }
    return this.#sdk;
  }

  async #connectClient(signIn: SignIn): Promise<{ client: OPConnect; settings: ConnectSettings }> {
    if (!this.#connect) {
      const settings = connectSettings(signIn.settings, this.#ctx);
      const client = await createConnectClient(settings, storedToken(signIn, "Connect token"));
      this.#connect = { client, settings };
    }
    return this.#connect;
  }
}

function storedToken(signIn: SignIn, what: string): string {
  const token = signIn.credentials.token;
  if (typeof token !== "string" || token === "") {
    throw providerError(
      PROVIDER_ID,
      "AUTH_EXPIRED",
      `The stored 1Password sign-in has no ${what}.`,
      {
        hint: "Sign in again: vaultlink integration reauth <integration>.",
      },
    );
  }
  return token;
}
