import {
  type AuthenticateInput,
  type Clock,
  errorFrom,
  type ProviderSession,
  providerError,
} from "@vaultlink/core/plugin";
import type { ServiceClient } from "../client.js";
import { mapServiceError } from "../errors.js";
import { PROVIDER_ID } from "../meta.js";
import { API_KEY_ENV } from "./methods.js";

export interface SignInContext {
  client: ServiceClient;
  integration: string;
  requestTimeoutMs: number;
  clock: Clock;
}

/** `AuthenticateInput` → a session: the API key exchanged for a token that may expire. */
export async function signIn(
  input: AuthenticateInput,
  { client, integration, requestTimeoutMs, clock }: SignInContext,
): Promise<ProviderSession> {
  const apiKey = input.secrets.apiKey;
  if (typeof apiKey !== "string" || apiKey === "") {
    throw providerError(PROVIDER_ID, "AUTH_FAILED", "No API key was given.", {
      hint: `Enter it at the prompt, or set ${API_KEY_ENV}.`,
    });
  }
  let issued: Awaited<ReturnType<ServiceClient["createSession"]>>;
  try {
    issued = await client.createSession(apiKey, input.signal);
  } catch (error) {
    // Core's deadline passed: core reports it the same way for every provider.
    if (input.signal?.aborted) throw error;
    // The error is not passed on as `cause`: SDK and HTTP errors may carry request details.
    throw errorFrom(
      PROVIDER_ID,
      mapServiceError(error, {
        phase: "authenticate",
        integration,
        host: client.host,
        requestTimeoutMs,
      }),
    );
  }
  return {
    credentials: { token: issued.token },
    ...(issued.expiresInSeconds
      ? { expiresAt: new Date(clock.now() + issued.expiresInSeconds * 1000) }
      : {}),
    ...(issued.identity ? { identity: issued.identity } : {}),
  };
}
