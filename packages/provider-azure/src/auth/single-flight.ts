import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/identity";
import { Singleflight } from "@vaultlink/core/plugin";

/** What `renewDue` did: tokens renewed, when to look again, and the first failure. */
export interface RenewedTokens {
  nextAt?: number;
  /** The earliest expiry of the tokens held: a failed renewal matters only after it. */
  expiresAt?: number;
  renewed: number;
  failure?: { error: unknown };
}

/**
 * Concurrent first reads (one per vault, or several lanes on one vault) all ask for a token
 * at once; without this each would go to Entra ID. Calls in flight for the same scopes,
 * tenant and claims share one answer; the credential's own cache serves the later ones.
 */
export class SingleFlightCredential implements TokenCredential {
  readonly #flights = new Singleflight<AccessToken | null>();
  /** The last token got for each request (no claims challenge): what `renewDue` asks again. */
  readonly #issued = new Map<
    string,
    { scopes: string | string[]; options: GetTokenOptions; expiresOnTimestamp: number }
  >();

  constructor(private readonly inner: TokenCredential) {}

  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    const key = JSON.stringify([
      scopes,
      options?.tenantId ?? "",
      options?.claims ?? "",
      options?.enableCae ?? false,
    ]);
    return this.#flights.run(key, async () => {
      const token = await this.inner.getToken(scopes, options);
      if (token && !options?.claims) {
        this.#issued.set(key, {
          scopes,
          options: {
            ...(options?.tenantId ? { tenantId: options.tenantId } : {}),
            ...(options?.enableCae ? { enableCae: true } : {}),
          },
          expiresOnTimestamp: token.expiresOnTimestamp,
        });
      }
      return token;
    });
  }

  /**
   * Ask again for every token that expires within `marginMs` of `now`, so the credential's own
   * cache holds a new one before the old one ends (the agent's background refresh). The
   * credential decides whether that takes a request to Entra ID: @azure/identity renews a
   * token in its last five minutes. Returns when the next token becomes due, and the earliest
   * expiry of the tokens held (for a refresh that failed).
   */
  async renewDue(now: number, marginMs: number, signal?: AbortSignal): Promise<RenewedTokens> {
    let renewed = 0;
    let failure: { error: unknown } | undefined;
    for (const held of [...this.#issued.values()]) {
      if (held.expiresOnTimestamp - marginMs > now) continue;
      try {
        await this.getToken(held.scopes, {
          ...held.options,
          ...(signal ? { abortSignal: signal } : {}),
        });
        renewed++;
      } catch (error) {
        failure = { error };
        break;
      }
    }
    let nextAt: number | undefined;
    let expiresAt: number | undefined;
    for (const held of this.#issued.values()) {
      const due = held.expiresOnTimestamp - marginMs;
      nextAt = Math.min(nextAt ?? due, due);
      expiresAt = Math.min(expiresAt ?? held.expiresOnTimestamp, held.expiresOnTimestamp);
    }
    return {
      ...(nextAt !== undefined ? { nextAt } : {}),
      ...(expiresAt !== undefined ? { expiresAt } : {}),
      renewed,
      ...(failure ? { failure } : {}),
    };
  }
}
