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
import { checkAccount } from "./auth/desktop.js";
import { CONNECT_METHOD, DESKTOP_METHOD } from "./auth/methods.js";
import { type SignIn, sdkClient, signIn } from "./auth/sign-in.js";
import { createConnectClient, type SdkAuth } from "./client.js";
import { readWithConnect } from "./connect/read.js";
import { isSdkRateLimit, mapSdkError } from "./errors.js";
import { parseRequests } from "./fetch.js";
import { PROVIDER_ID } from "./meta.js";
import { resolveWithSdk } from "./sdk/resolve.js";
import { type ConnectSettings, connectSettings } from "./settings.js";

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
    const signedIn = await signIn(this.#ctx, input, this.#version);
    this.#use(signedIn.signIn);
    if (signedIn.sdk) this.#sdk = Promise.resolve(signedIn.sdk);
    if (signedIn.connect) this.#connect = signedIn.connect;
    return signedIn.session;
  }

  async fetch(requests: readonly FetchRequest[]): Promise<FetchResult[]> {
    const { valid, rejected } = parseRequests(requests);
    if (valid.length === 0) return rejected;
    const ids = valid.map((r) => r.id);
    const current = this.#signIn;
    if (!current) {
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
      if (current.method === CONNECT_METHOD.id) {
        const { client, settings } = await this.#connectClient(current);
        this.#ctx.logger.debug("1Password Connect read", { references: valid.length });
        return [...rejected, ...(await readWithConnect(client, { ...settings, backoff }, valid))];
      }
      const client = await this.#sdkClient(current);
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
        throw errorFrom(PROVIDER_ID, mapSdkError(error, "fetch"));
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

  #sdkClient(signIn: SignIn): Promise<Client> {
    if (!this.#sdk) {
      const auth: SdkAuth =
        signIn.method === DESKTOP_METHOD.id
          ? { kind: "desktop", account: checkAccount(signIn.settings.account) }
          : { kind: "token", token: storedToken(signIn, "service account token") };
      this.#sdk = sdkClient(this.#ctx, auth, this.#version, "fetch");
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
