import {
  type AuthenticateInput,
  type FetchRequest,
  type FetchResult,
  failAll,
  type ProviderContext,
  type ProviderInstance,
  type ProviderSession,
} from "@vaultlink/core/plugin";
import { DenialClassifier } from "./auth/denial.js";
import { TokenRenewal } from "./auth/renewal.js";
import { signIn } from "./auth/sign-in.js";
import { VaultConnection } from "./connection.js";
import { statusOf } from "./errors.js";
import { fetchReferences } from "./fetch.js";
import { MountTable } from "./mounts.js";
import { renewAtOf } from "./session.js";
import { VaultTeamAuthority } from "./team.js";

/** Paths read at the same time by one fetch call, when core gives no `ctx.concurrency`. */
const DEFAULT_CONCURRENCY = 8;

/**
 * One integration's live connection to Vault, coordinating its parts: the connection (client,
 * settings, current token), sign-in (auth/sign-in), token renewal and AppRole re-login
 * (auth/renewal), telling a bad token from a policy denial (auth/denial), the KV mount table
 * and the team setup. Reads happen in fetch.ts.
 */
export class HashicorpInstance implements ProviderInstance {
  readonly #ctx: ProviderContext;
  readonly #conn: VaultConnection;
  readonly #renewal: TokenRenewal;
  readonly #denials: DenialClassifier;
  #mounts: MountTable | undefined;
  #team: VaultTeamAuthority | undefined;

  constructor(ctx: ProviderContext) {
    this.#ctx = ctx;
    this.#conn = new VaultConnection(ctx);
    this.#renewal = new TokenRenewal(this.#conn, () => this.#denials.classify());
    this.#denials = new DenialClassifier(this.#conn, (reason) => this.#renewal.loginAgain(reason));
  }

  /** The team setup in Vault and the role Vault's policies give this token. */
  get team(): VaultTeamAuthority {
    const conn = this.#conn;
    this.#team ??= new VaultTeamAuthority({
      api: () => conn.api(),
      mounts: this.#mountTable,
      settings: conn.config,
      rawSettings: () => ({ ...conn.rawSettings, authMethod: this.#ctx.integration.authMethod }),
      ensureFresh: () => this.#renewal.ensureFresh(),
      classifyDenial: () => this.#denials.classify(),
    });
    return this.#team;
  }

  get #mountTable(): MountTable {
    const conn = this.#conn;
    this.#mounts ??= new MountTable({
      read: (path) => conn.read(path),
      classifyDenial: () => this.#denials.classify(),
      kvVersion: conn.config.kvVersion,
      address: conn.config.address,
      namespace: conn.config.namespace,
      logger: this.#ctx.logger,
    });
    return this.#mounts;
  }

  async authenticate(input: AuthenticateInput): Promise<ProviderSession> {
    const merged = { ...this.#ctx.integration.settings, ...input.settings };
    if (await this.#conn.useSettings(merged)) this.#team = undefined;
    const session = await signIn(this.#conn, input, merged, this.#ctx.integration.id);
    this.#mounts = undefined;
    this.#team = undefined;
    return session;
  }

  /**
   * Renew the token when two thirds of its TTL have passed (or log in again with AppRole), as
   * on every fetch; the agent calls this on a timer so a token idle between reads never lapses.
   */
  async refreshSession(): Promise<{ nextAt?: number | undefined }> {
    await this.#renewal.ensureFresh();
    const creds = this.#conn.creds;
    return { nextAt: creds ? renewAtOf(creds) : undefined };
  }

  async fetch(requests: readonly FetchRequest[]): Promise<FetchResult[]> {
    if (requests.length === 0) return [];
    try {
      await this.#renewal.ensureFresh();
      return await fetchReferences(requests, {
        read: (path) => this.#conn.read(path),
        classifyDenial: () => this.#denials.classify(),
        mounts: this.#mountTable,
        address: this.#conn.config.address,
        concurrency: this.#ctx.concurrency ?? DEFAULT_CONCURRENCY,
      });
    } catch (error) {
      return failAll(
        requests.map((r) => r.id),
        error,
      );
    }
  }

  /**
   * Revoke the token this integration logged in for (auth/token/revoke-self). A token the
   * person gave (the token method) is theirs and stays valid. A token Vault already refuses
   * (403) has ended anyway.
   */
  async endSession(): Promise<boolean> {
    if (this.#ctx.integration.authMethod === "token" || !this.#conn.creds?.token) return false;
    try {
      await (await this.#conn.api()).write("auth/token/revoke-self", {});
    } catch (error) {
      if (statusOf(error) !== 403) throw error;
    }
    return true;
  }

  async dispose(): Promise<void> {
    await this.#conn.close();
  }
}
