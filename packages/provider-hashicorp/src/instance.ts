import {
  type AuthenticateInput,
  type FetchRequest,
  type FetchResult,
  failAll,
  isVaultlinkError,
  type ProviderContext,
  type ProviderInstance,
  type ProviderSession,
  providerError,
  retryWhileThrottled,
  throttleRetryOf,
} from "@vaultlink/core/plugin";
import { appRoleLogin, directLogin, type LoginResult, tokenFrom } from "./auth/login.js";
import { oidcLogin } from "./auth/oidc.js";
import { oidcProviderLogin } from "./auth/oidc-provider.js";
import { createVaultClient, type VaultClient, type VaultResponse } from "./client.js";
import {
  describeFailure,
  isDenied,
  REAUTH_HINT,
  statusOf,
  toError,
  type VaultFailure,
} from "./errors.js";
import { fetchReferences } from "./fetch.js";
import { MountTable } from "./mounts.js";
import type { DenialVerdict } from "./read.js";
import {
  canRelogin,
  credentialsOf,
  expiryOf,
  renewAtOf,
  toSession,
  type VaultCredentials,
} from "./session.js";
import { readSettings, type VaultSettings } from "./settings.js";
import { VaultTeamAuthority } from "./team.js";

/** Paths read at the same time by one fetch call. */
const DEFAULT_CONCURRENCY = 8;

const expired = (message: string): VaultFailure => ({
  code: "AUTH_EXPIRED",
  message,
  hint: REAUTH_HINT,
});

/**
 * One integration's live connection to Vault. Token lifecycle decisions use ctx.clock and
 * happen when a fetch arrives: no timer keeps the process alive.
 */
export class HashicorpInstance implements ProviderInstance {
  #ctx: ProviderContext;
  #rawSettings: Record<string, unknown>;
  #settings: VaultSettings | undefined;
  #client: Promise<VaultClient> | undefined;
  #mounts: MountTable | undefined;
  #creds: VaultCredentials | undefined;
  #identity: string | undefined;
  #refresh: Promise<void> | undefined;
  #relogin: Promise<void> | undefined;
  #denials = new Map<string, Promise<DenialVerdict>>();
  #team: VaultTeamAuthority | undefined;

  constructor(ctx: ProviderContext) {
    this.#ctx = ctx;
    this.#rawSettings = { ...ctx.integration.settings };
    this.#creds = credentialsOf(ctx.session);
    this.#identity = ctx.session?.identity;
  }

  get #config(): VaultSettings {
    this.#settings ??= readSettings(this.#rawSettings, this.#ctx.requestTimeoutMs);
    return this.#settings;
  }

  async #api(): Promise<VaultClient> {
    this.#client ??= createVaultClient(this.#config);
    const client = await this.#client;
    client.token = this.#creds?.token;
    return client;
  }

  /** The team setup in Vault and the role Vault's policies give this token. */
  get team(): VaultTeamAuthority {
    this.#team ??= new VaultTeamAuthority({
      api: () => this.#api(),
      mounts: this.#mountTable,
      settings: this.#config,
      rawSettings: () => ({ ...this.#rawSettings, authMethod: this.#ctx.integration.authMethod }),
      ensureFresh: () => this.#ensureFresh(),
      classifyDenial: () => this.#classifyDenial(),
    });
    return this.#team;
  }

  get #mountTable(): MountTable {
    this.#mounts ??= new MountTable({
      read: (path) => this.#read(path),
      classifyDenial: () => this.#classifyDenial(),
      kvVersion: this.#config.kvVersion,
      address: this.#config.address,
      namespace: this.#config.namespace,
      logger: this.#ctx.logger,
    });
    return this.#mounts;
  }

  /** A read; one that a rate-limit quota refuses (429) is retried with backoff first. */
  async #read(path: string): Promise<VaultResponse> {
    const api = await this.#api();
    return retryWhileThrottled(
      () => api.read(path),
      (error) => statusOf(error) === 429,
      throttleRetryOf(this.#ctx.pluginOptions),
      (retry) => this.#ctx.logger.debug("Vault rate-limited a read; retrying", { retry }),
    );
  }

  // ---- authenticate ---------------------------------------------------------------------

  async authenticate(input: AuthenticateInput): Promise<ProviderSession> {
    const merged = { ...this.#ctx.integration.settings, ...input.settings };
    if (JSON.stringify(merged) !== JSON.stringify(this.#rawSettings) || !this.#client) {
      await this.#closeClient();
      this.#rawSettings = merged;
      this.#settings = undefined;
      this.#team = undefined;
    }
    const settings = this.#config;
    const client = await this.#api();
    client.token = undefined;
    let result: LoginResult;
    if (input.method === "token") {
      const token = typeof input.secrets.token === "string" ? input.secrets.token.trim() : "";
      if (!token) {
        throw providerError("hashicorp", "AUTH_FAILED", 'The token sign-in needs "token".', {
          hint: "Paste a Vault token (vault print token) at the prompt, or set VAULT_TOKEN.",
        });
      }
      result = { response: { auth: { client_token: token } } };
    } else if (input.method === "oidc" || input.method === "oidc-provider") {
      const port = Number(input.settings.callbackPort ?? merged.callbackPort);
      const login = input.method === "oidc" ? oidcLogin : oidcProviderLogin;
      result = await login(client, settings, {
        ...(Number.isInteger(port) && port >= 0 ? { port } : {}),
        openBrowser: (input.settings.openBrowser ?? merged.openBrowser) !== false,
        ...(input.notify ? { notify: input.notify } : {}),
      });
    } else {
      result = await directLogin(
        client,
        settings,
        input.method,
        input.secrets,
        merged,
        input.previous?.credentials,
      );
    }
    const token = tokenFrom(result.response, `${input.method} sign-in`);
    const creds = await this.#describeToken(token, input.method, result.keep, result.response);
    this.#mounts = undefined;
    this.#team = undefined;
    return toSession(creds, this.#identity);
  }

  /** lookup-self: read the TTL and renewability of a fresh token and make it current. */
  async #describeToken(
    token: string,
    method: string,
    keep?: { roleId: string; secretId: string },
    login?: VaultResponse,
  ): Promise<VaultCredentials> {
    const client = await this.#api();
    client.token = token;
    let data: Record<string, unknown>;
    try {
      data = ((await client.read("auth/token/lookup-self")).data ?? {}) as Record<string, unknown>;
    } catch (error) {
      const auth = login?.auth;
      if (
        isDenied(error) &&
        method !== "token" &&
        auth &&
        typeof auth.lease_duration === "number"
      ) {
        // A policy may deny lookup-self (an exact-path deny): the login
        // answer itself tells the TTL and renewability of the token it just issued.
        data = {
          ttl: auth.lease_duration,
          renewable: auth.renewable === true,
          policies: auth.policies ?? [],
          display_name: method,
        };
        return this.#keepToken(token, method, data, keep);
      }
      client.token = this.#creds?.token;
      if (isDenied(error)) {
        throw providerError(
          "hashicorp",
          "AUTH_FAILED",
          "Vault does not accept the token (unknown, expired or revoked).",
          {
            hint:
              method === "token"
                ? "Create a new token (vault token create) or sign in with another method."
                : "Check the auth method's token settings in Vault.",
            details: { status: statusOf(error) },
          },
        );
      }
      throw toError(
        describeFailure(
          error,
          "checking the new token (auth/token/lookup-self)",
          this.#config.address,
        ),
      );
    }
    return this.#keepToken(token, method, data, keep);
  }

  #keepToken(
    token: string,
    method: string,
    data: Record<string, unknown>,
    keep?: { roleId: string; secretId: string },
  ): VaultCredentials {
    const ttl = typeof data.ttl === "number" ? data.ttl : Number(data.ttl ?? 0);
    const creds: VaultCredentials = {
      method,
      token,
      ttlSeconds: Number.isFinite(ttl) && ttl > 0 ? ttl : 0,
      renewable: data.renewable === true,
      obtainedAt: this.#ctx.clock.now(),
      ...(keep ?? {}),
    };
    const name = typeof data.display_name === "string" ? data.display_name : method;
    const policies = Array.isArray(data.policies) ? data.policies.join(", ") : "";
    this.#identity = `${name}${policies ? ` (policies: ${policies})` : ""}`;
    this.#creds = creds;
    return creds;
  }

  // ---- token lifecycle ------------------------------------------------------------------

  /** Renew at two thirds of the TTL, or log in again (AppRole) when renewal is impossible. */
  async #ensureFresh(): Promise<void> {
    this.#refresh ??= this.#refreshNow().finally(() => {
      this.#refresh = undefined;
    });
    return this.#refresh;
  }

  async #refreshNow(): Promise<void> {
    const creds = this.#creds;
    if (!creds) {
      throw toError(expired("Not signed in to HashiCorp Vault yet."));
    }
    const now = this.#ctx.clock.now();
    const expiry = expiryOf(creds);
    if (expiry !== undefined && now >= expiry) {
      if (canRelogin(creds)) return this.#loginAgain("the token expired");
      throw toError(expired(`The Vault token expired at ${new Date(expiry).toISOString()}.`));
    }
    const renewAt = renewAtOf(creds);
    if (renewAt === undefined || now < renewAt) return;
    if (creds.renewable) {
      await this.#renew(creds, now);
      return;
    }
    if (canRelogin(creds)) {
      try {
        await this.#loginAgain("the token cannot be renewed");
      } catch (error) {
        // The token still works until it expires; try again at the next fetch.
        this.#ctx.logger.warn(
          "AppRole re-login before expiry failed; the current token is used until it expires.",
          {
            code: isVaultlinkError(error) ? error.code : "PROVIDER_ERROR",
          },
        );
      }
    }
  }

  async #renew(creds: VaultCredentials, now: number): Promise<void> {
    const client = await this.#api();
    let response: VaultResponse;
    try {
      response = await client.write("auth/token/renew-self", {});
    } catch (error) {
      if (isDenied(error)) {
        const verdict = await this.#classifyDenial();
        if (verdict === "retry") return;
        if (verdict !== "policy") throw toError(verdict);
      }
      const status = statusOf(error);
      if (status === 400 || status === 403) {
        // Not renewable after all (or renew-self is denied): stop trying.
        this.#creds = { ...creds, renewable: false };
        await this.#save();
        if (canRelogin(creds))
          await this.#loginAgain("the token cannot be renewed").catch(() => {});
        return;
      }
      this.#ctx.logger.warn(
        "Renewing the Vault token failed; the current token is used while it lasts.",
        {
          ...(status !== undefined ? { status } : {}),
        },
      );
      return;
    }
    const lease = Number(response.auth?.lease_duration ?? 0);
    const oldExpiry = expiryOf(creds) ?? now;
    const extended = lease > 0 && now + lease * 1000 > oldExpiry + 1000;
    this.#creds = {
      ...creds,
      ttlSeconds: lease > 0 ? lease : creds.ttlSeconds,
      obtainedAt: lease > 0 ? now : creds.obtainedAt,
      // A renewal that no longer extends the token has hit its max TTL.
      renewable: extended && response.auth?.renewable !== false,
    };
    this.#ctx.logger.debug("Renewed the Vault token.", { ttlSeconds: lease, extended });
    if (!extended && canRelogin(creds)) {
      await this.#loginAgain("the token reached its maximum TTL").catch(() => this.#save());
      return;
    }
    await this.#save();
  }

  /** AppRole: log in again with the stored role and secret ids. One at a time. */
  async #loginAgain(reason: string): Promise<void> {
    this.#relogin ??= (async () => {
      const creds = this.#creds as VaultCredentials;
      const client = await this.#api();
      try {
        const { response, keep } = await appRoleLogin(
          client,
          this.#config,
          creds.roleId as string,
          creds.secretId as string,
        );
        await this.#describeToken(tokenFrom(response, "AppRole re-login"), "approle", keep);
      } catch (error) {
        const code = isVaultlinkError(error) ? error.code : "PROVIDER_ERROR";
        const message = error instanceof Error ? error.message : "unknown error";
        if (code === "AUTH_FAILED") {
          throw toError(expired(`The Vault token could not be replaced (${reason}): ${message}`));
        }
        throw error;
      }
      this.#ctx.logger.info(`Logged in to Vault again with AppRole (${reason}).`);
      await this.#save();
    })().finally(() => {
      this.#relogin = undefined;
    });
    return this.#relogin;
  }

  async #save(): Promise<void> {
    if (this.#creds) await this.#ctx.saveSession(toSession(this.#creds, this.#identity));
  }

  /**
   * Vault answers 403 both for a bad token and for a policy that denies the path. Ask
   * lookup-self: if it fails too, it is the token (log in again when possible).
   */
  #classifyDenial(): Promise<DenialVerdict> {
    const token = this.#creds?.token ?? "";
    let pending = this.#denials.get(token);
    if (!pending) {
      pending = this.#classify(token).finally(() => this.#denials.delete(token));
      this.#denials.set(token, pending);
    }
    return pending;
  }

  async #classify(token: string): Promise<DenialVerdict> {
    try {
      await (await this.#api()).read("auth/token/lookup-self");
      return "policy";
    } catch (error) {
      if (!isDenied(error)) {
        return describeFailure(
          error,
          "checking the token (auth/token/lookup-self)",
          this.#config.address,
        );
      }
    }
    const creds = this.#creds;
    if (creds && creds.token !== token) return "retry";
    if (creds && canRelogin(creds)) {
      try {
        await this.#loginAgain("Vault no longer accepts the token");
        return "retry";
      } catch (error) {
        return {
          code:
            isVaultlinkError(error) && error.code !== "PROVIDER_ERROR"
              ? (error.code as VaultFailure["code"])
              : "AUTH_EXPIRED",
          message: error instanceof Error ? error.message : "The AppRole re-login failed.",
          hint: REAUTH_HINT,
        };
      }
    }
    return expired("Vault no longer accepts the token (expired or revoked).");
  }

  // ---- fetch ----------------------------------------------------------------------------

  async fetch(requests: readonly FetchRequest[]): Promise<FetchResult[]> {
    if (requests.length === 0) return [];
    try {
      await this.#ensureFresh();
      const concurrency = Number(this.#ctx.pluginOptions.concurrency ?? DEFAULT_CONCURRENCY);
      return await fetchReferences(requests, {
        read: (path) => this.#read(path),
        classifyDenial: () => this.#classifyDenial(),
        mounts: this.#mountTable,
        address: this.#config.address,
        concurrency:
          Number.isInteger(concurrency) && concurrency > 0 ? concurrency : DEFAULT_CONCURRENCY,
      });
    } catch (error) {
      return failAll(
        requests.map((r) => r.id),
        error,
      );
    }
  }

  async #closeClient(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    if (client) (await client.catch(() => undefined))?.close();
  }

  /**
   * Revoke the token this integration logged in for (auth/token/revoke-self). A token the
   * person gave (the token method) is theirs and stays valid. A token Vault already refuses
   * (403) has ended anyway.
   */
  async endSession(): Promise<boolean> {
    if (this.#ctx.integration.authMethod === "token" || !this.#creds?.token) return false;
    try {
      await (await this.#api()).write("auth/token/revoke-self", {});
    } catch (error) {
      if (statusOf(error) !== 403) throw error;
    }
    return true;
  }

  async dispose(): Promise<void> {
    await this.#closeClient();
  }
}
