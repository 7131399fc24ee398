import { type ProviderContext, retryWhileThrottled, throttleRetryOf } from "@vaultlink/core/plugin";
import { createVaultClient, type VaultClient, type VaultResponse } from "./client.js";
import { statusOf } from "./errors.js";
import { credentialsOf, toSession, type VaultCredentials } from "./session.js";
import { readSettings, type VaultSettings } from "./settings.js";

/**
 * What every part of one integration shares: its settings, the node-vault client (built on
 * first use) and the current token with who it belongs to. Sign-in, renewal and denial
 * classification change the token here; reads always go out with the current one.
 */
export class VaultConnection {
  readonly ctx: ProviderContext;
  /** The current token and its lifetime; undefined before a sign-in. */
  creds: VaultCredentials | undefined;
  /** Who the token belongs to (display name and policies), for the session. */
  identity: string | undefined;
  #rawSettings: Record<string, unknown>;
  #settings: VaultSettings | undefined;
  #client: Promise<VaultClient> | undefined;

  constructor(ctx: ProviderContext) {
    this.ctx = ctx;
    this.#rawSettings = { ...ctx.integration.settings };
    this.creds = credentialsOf(ctx.session);
    this.identity = ctx.session?.identity;
  }

  /** The settings as stored, before checking (the team setup publishes them). */
  get rawSettings(): Record<string, unknown> {
    return this.#rawSettings;
  }

  /** The checked settings, read once; core's deadline is node-vault's timeout. */
  get config(): VaultSettings {
    this.#settings ??= readSettings(this.#rawSettings, this.ctx.requestTimeoutMs);
    return this.#settings;
  }

  /** The client, carrying the current token. */
  async api(): Promise<VaultClient> {
    this.#client ??= createVaultClient(this.config);
    const client = await this.#client;
    client.token = this.creds?.token;
    return client;
  }

  /** A read; one that a rate-limit quota refuses (429) is retried with backoff first. */
  async read(path: string): Promise<VaultResponse> {
    const api = await this.api();
    return retryWhileThrottled(
      () => api.read(path),
      (error) => statusOf(error) === 429,
      throttleRetryOf(this.ctx.pluginOptions),
      (retry) => this.ctx.logger.debug("Vault rate-limited a read; retrying", { retry }),
    );
  }

  /**
   * Sign in with these settings: when they differ from the current ones (or no client was
   * built yet) the client is closed and the settings read again. True when that happened.
   */
  async useSettings(settings: Record<string, unknown>): Promise<boolean> {
    if (JSON.stringify(settings) === JSON.stringify(this.#rawSettings) && this.#client) {
      return false;
    }
    await this.close();
    this.#rawSettings = settings;
    this.#settings = undefined;
    return true;
  }

  /** Persist the current token (a renewal, a re-login) through the host. */
  async save(): Promise<void> {
    if (this.creds) await this.ctx.saveSession(toSession(this.creds, this.identity));
  }

  async close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    if (client) (await client.catch(() => undefined))?.close();
  }
}
