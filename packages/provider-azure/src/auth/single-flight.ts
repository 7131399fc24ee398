import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/identity";

/**
 * Concurrent first reads (one per vault, or several lanes on one vault) all ask for a token
 * at once; without this each would go to Entra ID. Calls in flight for the same scopes,
 * tenant and claims share one answer; the credential's own cache serves the later ones.
 */
export class SingleFlightCredential implements TokenCredential {
  readonly #inFlight = new Map<string, Promise<AccessToken | null>>();

  constructor(private readonly inner: TokenCredential) {}

  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    const key = JSON.stringify([
      scopes,
      options?.tenantId ?? "",
      options?.claims ?? "",
      options?.enableCae ?? false,
    ]);
    let pending = this.#inFlight.get(key);
    if (!pending) {
      pending = this.inner.getToken(scopes, options).finally(() => this.#inFlight.delete(key));
      this.#inFlight.set(key, pending);
    }
    return pending;
  }
}
