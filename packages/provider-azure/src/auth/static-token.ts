import type { AccessToken, TokenCredential } from "@azure/identity";
import { providerError, reauthHint } from "@vaultlink/core/plugin";
import { PROVIDER_ID } from "../meta.js";

/** What an interactive sign-in stores: the access token and when it stops working. */
export interface StoredToken {
  accessToken: string;
  expiresOnTimestamp: number;
}

export function storedToken(
  credentials: Record<string, unknown> | undefined,
): StoredToken | undefined {
  const token = credentials?.accessToken;
  const expires = credentials?.expiresOnTimestamp;
  if (typeof token !== "string" || token === "" || typeof expires !== "number") return undefined;
  return { accessToken: token, expiresOnTimestamp: expires };
}

/**
 * Hands the SDK the token a person got by signing in. There is no refresh token to renew it
 * with, so once it expires the answer is AUTH_EXPIRED and the person signs in again.
 */
export class StoredTokenCredential implements TokenCredential {
  constructor(
    private readonly token: StoredToken,
    private readonly now: () => number,
    private readonly integration: string,
  ) {}

  async getToken(): Promise<AccessToken> {
    if (this.now() >= this.token.expiresOnTimestamp) {
      throw providerError(PROVIDER_ID, "AUTH_EXPIRED", "The Azure sign-in has expired.", {
        hint: reauthHint(this.integration),
      });
    }
    return { token: this.token.accessToken, expiresOnTimestamp: this.token.expiresOnTimestamp };
  }
}
