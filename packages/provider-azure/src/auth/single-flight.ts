import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/identity";
import { Singleflight } from "@vaultlink/core/plugin";

/**
 * Concurrent first reads (one per vault, or several lanes on one vault) all ask for a token
 * at once; without this each would go to Entra ID. Calls in flight for the same scopes,
 * tenant and claims share one answer; the credential's own cache serves the later ones.
 */
export class SingleFlightCredential implements TokenCredential {
  readonly #flights = new Singleflight<AccessToken | null>();

  constructor(private readonly inner: TokenCredential) {}

  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    const key = JSON.stringify([
      scopes,
      options?.tenantId ?? "",
      options?.claims ?? "",
      options?.enableCae ?? false,
    ]);
    return this.#flights.run(key, () => this.inner.getToken(scopes, options));
  }
}
