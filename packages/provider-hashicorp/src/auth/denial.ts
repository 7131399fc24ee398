import { isVaultlinkError } from "@vaultlink/core/plugin";
import type { VaultConnection } from "../connection.js";
import {
  describeFailure,
  expiredFailure,
  isDenied,
  REAUTH_HINT,
  type VaultFailure,
} from "../errors.js";
import type { DenialVerdict } from "../read.js";
import { canRelogin } from "../session.js";

/**
 * Vault answers 403 both for a bad token and for a policy that denies the path. Ask
 * lookup-self: if it fails too, it is the token (log in again when possible). Denials of the
 * same token share one check.
 */
export class DenialClassifier {
  readonly #conn: VaultConnection;
  readonly #loginAgain: (reason: string) => Promise<void>;
  readonly #pending = new Map<string, Promise<DenialVerdict>>();

  constructor(conn: VaultConnection, loginAgain: (reason: string) => Promise<void>) {
    this.#conn = conn;
    this.#loginAgain = loginAgain;
  }

  classify(): Promise<DenialVerdict> {
    const token = this.#conn.creds?.token ?? "";
    let pending = this.#pending.get(token);
    if (!pending) {
      pending = this.#classify(token).finally(() => this.#pending.delete(token));
      this.#pending.set(token, pending);
    }
    return pending;
  }

  async #classify(token: string): Promise<DenialVerdict> {
    const conn = this.#conn;
    try {
      await (await conn.api()).read("auth/token/lookup-self");
      return "policy";
    } catch (error) {
      if (!isDenied(error)) {
        return describeFailure(
          error,
          "checking the token (auth/token/lookup-self)",
          conn.config.address,
        );
      }
    }
    const creds = conn.creds;
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
    return expiredFailure("Vault no longer accepts the token (expired or revoked).");
  }
}
