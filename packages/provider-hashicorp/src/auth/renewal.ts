import { isVaultlinkError } from "@vaultlink/core/plugin";
import type { VaultResponse } from "../client.js";
import type { VaultConnection } from "../connection.js";
import { expiredFailure, isDenied, statusOf, toError } from "../errors.js";
import type { DenialVerdict } from "../read.js";
import { canRelogin, expiryOf, renewAtOf, type VaultCredentials } from "../session.js";
import { appRoleLogin, tokenFrom } from "./login.js";
import { adoptToken } from "./sign-in.js";

/**
 * Keeps the token working: renew it two thirds into its TTL, or log in again with AppRole
 * when it cannot be renewed (or has expired). Decisions use ctx.clock and happen when a call
 * arrives: no timer keeps the process alive. One renewal and one re-login at a time.
 */
export class TokenRenewal {
  readonly #conn: VaultConnection;
  readonly #classifyDenial: () => Promise<DenialVerdict>;
  #refresh: Promise<void> | undefined;
  #relogin: Promise<void> | undefined;

  constructor(conn: VaultConnection, classifyDenial: () => Promise<DenialVerdict>) {
    this.#conn = conn;
    this.#classifyDenial = classifyDenial;
  }

  /** Renew at two thirds of the TTL, or log in again (AppRole) when renewal is impossible. */
  ensureFresh(): Promise<void> {
    this.#refresh ??= this.#refreshNow().finally(() => {
      this.#refresh = undefined;
    });
    return this.#refresh;
  }

  async #refreshNow(): Promise<void> {
    const creds = this.#conn.creds;
    if (!creds) {
      throw toError(expiredFailure("Not signed in to HashiCorp Vault yet."));
    }
    const now = this.#conn.ctx.clock.now();
    const expiry = expiryOf(creds);
    if (expiry !== undefined && now >= expiry) {
      if (canRelogin(creds)) return this.loginAgain("the token expired");
      throw toError(
        expiredFailure(`The Vault token expired at ${new Date(expiry).toISOString()}.`),
      );
    }
    const renewAt = renewAtOf(creds);
    if (renewAt === undefined || now < renewAt) return;
    if (creds.renewable) {
      await this.#renew(creds, now);
      return;
    }
    if (canRelogin(creds)) {
      try {
        await this.loginAgain("the token cannot be renewed");
      } catch (error) {
        // The token still works until it expires; try again at the next fetch.
        this.#conn.ctx.logger.warn(
          "AppRole re-login before expiry failed; the current token is used until it expires.",
          {
            code: isVaultlinkError(error) ? error.code : "PROVIDER_ERROR",
          },
        );
      }
    }
  }

  async #renew(creds: VaultCredentials, now: number): Promise<void> {
    const conn = this.#conn;
    const client = await conn.api();
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
        conn.creds = { ...creds, renewable: false };
        await conn.save();
        if (canRelogin(creds)) await this.loginAgain("the token cannot be renewed").catch(() => {});
        return;
      }
      conn.ctx.logger.warn(
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
    conn.creds = {
      ...creds,
      ttlSeconds: lease > 0 ? lease : creds.ttlSeconds,
      obtainedAt: lease > 0 ? now : creds.obtainedAt,
      // A renewal that no longer extends the token has hit its max TTL.
      renewable: extended && response.auth?.renewable !== false,
    };
    conn.ctx.logger.debug("Renewed the Vault token.", { ttlSeconds: lease, extended });
    if (!extended && canRelogin(creds)) {
      await this.loginAgain("the token reached its maximum TTL").catch(() => conn.save());
      return;
    }
    await conn.save();
  }

  /** AppRole: log in again with the stored role and secret ids. One at a time. */
  loginAgain(reason: string): Promise<void> {
    this.#relogin ??= (async () => {
      const conn = this.#conn;
      const creds = conn.creds as VaultCredentials;
      const client = await conn.api();
      try {
        const { response, keep } = await appRoleLogin(
          client,
          conn.config,
          creds.roleId as string,
          creds.secretId as string,
        );
        await adoptToken(conn, tokenFrom(response, "AppRole re-login"), "approle", keep);
      } catch (error) {
        const code = isVaultlinkError(error) ? error.code : "PROVIDER_ERROR";
        const message = error instanceof Error ? error.message : "unknown error";
        if (code === "AUTH_FAILED") {
          throw toError(
            expiredFailure(`The Vault token could not be replaced (${reason}): ${message}`),
          );
        }
        throw error;
      }
      conn.ctx.logger.info(`Logged in to Vault again with AppRole (${reason}).`);
      await conn.save();
    })().finally(() => {
      this.#relogin = undefined;
    });
    return this.#relogin;
  }
}
