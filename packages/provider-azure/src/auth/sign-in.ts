import type { TokenCredential } from "@azure/identity";
import type { AuthenticateInput, ProviderSession } from "@vaultlink/core/plugin";
import { errorFrom, isVaultlinkError, providerError } from "@vaultlink/core/plugin";
import { mapAzureError } from "../errors.js";
import { PROVIDER_ID } from "../meta.js";
import type { AzureConfig } from "../settings.js";
import { createCredential } from "./credential.js";
import { AUTH_METHODS, type AuthMethodId, INTERACTIVE_METHODS, isAuthMethodId } from "./methods.js";

/** Setting names each method keeps in the session (all non-secret). */
const KEPT_SETTINGS = [
  "tenantId",
  "clientId",
  "certificatePath",
  "sendCertificateChain",
  "resourceId",
  "tokenFilePath",
  "loginHint",
];
/** Secret option names each method stores, encrypted, to get new tokens later. */
const KEPT_SECRETS: Partial<Record<AuthMethodId, readonly string[]>> = {
  "client-secret": ["clientSecret"],
  "client-certificate": ["certificate", "certificatePassword"],
};

function pick(values: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of names)
    if (values[name] !== undefined && values[name] !== "") out[name] = values[name];
  return out;
}

/** The non-secret name of who signed in, from the token's claims when it is a JWT. */
export function identityOfToken(token: string): string | undefined {
  const payload = token.split(".")[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<
      string,
      unknown
    >;
    const name = claims.upn ?? claims.preferred_username ?? claims.unique_name ?? claims.email;
    if (typeof name === "string") return name;
    if (typeof claims.appid === "string") return `application ${claims.appid}`;
    return undefined;
  } catch {
    return undefined;
  }
}

export interface SignInDeps {
  config: AzureConfig;
  integration: string;
  logger: { info(message: string): void };
}

/**
 * Sign in with one method and describe the session to store. Renewable methods prove the
 * sign-in by getting one token and store what they need to get more (never the token).
 * Interactive methods store the access token itself and expire with it.
 */
export async function signIn(
  input: AuthenticateInput,
  deps: SignInDeps,
): Promise<{ session: ProviderSession; credential: TokenCredential }> {
  const method = input.method;
  if (!isAuthMethodId(method)) {
    throw providerError(
      PROVIDER_ID,
      "AUTH_FAILED",
      `Azure Key Vault has no sign-in method "${method}".`,
      {
        hint: `Use one of: ${AUTH_METHODS.map((m) => m.id).join(", ")}.`,
      },
    );
  }
  // Reauthentication may leave a stored secret out: keep using the one already stored.
  const secrets = { ...(input.previous?.credentials ?? {}), ...input.secrets };
  const settings = input.settings;
  const scope = `${deps.config.cloud.resource}/.default`;
  const interactive = INTERACTIVE_METHODS.has(method);
  const notify = input.notify ?? ((message: string) => deps.logger.info(message));

  let token: { token: string; expiresOnTimestamp: number };
  let username: string | undefined;
  let credential: TokenCredential;
  try {
    credential = await createCredential({
      method,
      settings,
      secrets,
      config: deps.config,
      notify,
    });
    // Key Vault asks for tokens with CAE on, and @azure/identity caches CAE tokens apart from
    // the others: asking the same way lets the token below come from the sign-in's cache.
    const options = { enableCae: true };
    if (interactive) {
      if (method === "interactive-browser") notify("Opening your browser to sign in to Azure…");
      // authenticate() is the interactive step and names the account; getToken is then silent.
      const record = await (
        credential as unknown as {
          authenticate(s: string, o: typeof options): Promise<{ username?: string } | undefined>;
        }
      ).authenticate(scope, options);
      username = record?.username;
    }
    const got = await credential.getToken(scope, options);
    if (!got) throw providerError(PROVIDER_ID, "AUTH_FAILED", "Azure returned no access token.");
    token = got;
  } catch (error) {
    if (isVaultlinkError(error)) throw error;
    const mapped = mapAzureError(error, {
      phase: "authenticate",
      integration: deps.integration,
      method,
    });
    throw errorFrom(PROVIDER_ID, mapped);
  }

  const kept = pick(settings, KEPT_SETTINGS);
  const identity = username ?? identityOfToken(token.token) ?? describe(method, kept);
  if (interactive) {
    const session = {
      credentials: { accessToken: token.token, expiresOnTimestamp: token.expiresOnTimestamp },
      expiresAt: new Date(token.expiresOnTimestamp),
      settings: kept,
      identity,
    };
    return { session, credential };
  }
  const session = {
    credentials: pick(secrets, KEPT_SECRETS[method] ?? []),
    settings: kept,
    identity,
  };
  return { session, credential };
}

function describe(method: AuthMethodId, settings: Record<string, unknown>): string {
  const app = typeof settings.clientId === "string" ? settings.clientId : undefined;
  const tenant = typeof settings.tenantId === "string" ? ` in tenant ${settings.tenantId}` : "";
  switch (method) {
    case "managed-identity":
      return app ? `managed identity ${app}` : "system-assigned managed identity";
    case "azure-cli":
      return `Azure CLI account${tenant}`;
    default:
      return app ? `application ${app}${tenant}` : `${method}${tenant}`;
  }
}
