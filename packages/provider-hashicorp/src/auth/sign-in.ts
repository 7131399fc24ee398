import {
  type AuthenticateInput,
  type ProviderSession,
  providerError,
} from "@vaultlink/core/plugin";
import type { VaultResponse } from "../client.js";
import type { VaultConnection } from "../connection.js";
import { describeFailure, isDenied, statusOf, toError } from "../errors.js";
import { PROVIDER_ID } from "../meta.js";
import { toSession, type VaultCredentials } from "../session.js";
import { directLogin, type LoginResult, tokenFrom } from "./login.js";
import { oidcLogin } from "./oidc.js";
import { oidcProviderLogin } from "./oidc-provider.js";

/**
 * Sign in with the method the person chose (a token they give, a browser sign-in, or a
 * direct login such as AppRole or userpass), then make the new token current.
 */
export async function signIn(
  conn: VaultConnection,
  input: AuthenticateInput,
  merged: Record<string, unknown>,
  integrationId?: string,
): Promise<ProviderSession> {
  const settings = conn.config;
  const client = await conn.api();
  client.token = undefined;
  let result: LoginResult;
  if (input.method === "token") {
    const token = typeof input.secrets.token === "string" ? input.secrets.token.trim() : "";
    if (!token) {
      throw providerError(PROVIDER_ID, "AUTH_FAILED", 'The token sign-in needs "token".', {
        hint: "Paste a Vault token (vault print token) at the prompt, or set VAULT_TOKEN.",
      });
    }
    result = { response: { auth: { client_token: token } } };
  } else if (input.method === "oidc" || input.method === "oidc-provider") {
    const port = Number(input.settings.callbackPort ?? merged.callbackPort);
    const login = input.method === "oidc" ? oidcLogin : oidcProviderLogin;
    result = await login(client, settings, {
      ...(Number.isInteger(port) && port >= 0 ? { port } : {}),
      openBrowser: (input.settings.openBrowser ?? merged.openBrowser) !== false,
      ...(input.notify ? { notify: input.notify } : {}),
      ...(integrationId ? { integrationId } : {}),
    });
  } else {
    result = await directLogin(
      client,
      settings,
      input.method,
      input.secrets,
      merged,
      input.previous?.credentials,
    );
  }
  const token = tokenFrom(result.response, `${input.method} sign-in`);
  const creds = await adoptToken(conn, token, input.method, result.keep, result.response);
  return toSession(creds, conn.identity);
}

/**
 * lookup-self: read the TTL and renewability of a fresh token and make it the connection's
 * current one. When a policy denies lookup-self, the login answer tells the same.
 */
export async function adoptToken(
  conn: VaultConnection,
  token: string,
  method: string,
  keep?: { roleId: string; secretId: string },
  login?: VaultResponse,
): Promise<VaultCredentials> {
  const client = await conn.api();
  client.token = token;
  let data: Record<string, unknown>;
  try {
    data = ((await client.read("auth/token/lookup-self")).data ?? {}) as Record<string, unknown>;
  } catch (error) {
    const auth = login?.auth;
    if (isDenied(error) && method !== "token" && auth && typeof auth.lease_duration === "number") {
      // A policy may deny lookup-self (an exact-path deny): the login
      // answer itself tells the TTL and renewability of the token it just issued.
      data = {
        ttl: auth.lease_duration,
        renewable: auth.renewable === true,
        policies: auth.policies ?? [],
        display_name: method,
      };
      return keepToken(conn, token, method, data, keep);
    }
    client.token = conn.creds?.token;
    if (isDenied(error)) {
      throw providerError(
        PROVIDER_ID,
        "AUTH_FAILED",
        "Vault does not accept the token (unknown, expired or revoked).",
        {
          hint:
            method === "token"
              ? "Create a new token (vault token create) or sign in with another method."
              : "Check the auth method's token settings in Vault.",
          details: { status: statusOf(error) },
        },
      );
    }
    throw toError(
      describeFailure(
        error,
        "checking the new token (auth/token/lookup-self)",
        conn.config.address,
      ),
    );
  }
  return keepToken(conn, token, method, data, keep);
}

function keepToken(
  conn: VaultConnection,
  token: string,
  method: string,
  data: Record<string, unknown>,
  keep?: { roleId: string; secretId: string },
): VaultCredentials {
  const ttl = typeof data.ttl === "number" ? data.ttl : Number(data.ttl ?? 0);
  const creds: VaultCredentials = {
    method,
    token,
    ttlSeconds: Number.isFinite(ttl) && ttl > 0 ? ttl : 0,
    renewable: data.renewable === true,
    obtainedAt: conn.ctx.clock.now(),
    ...(keep ?? {}),
  };
  const name = typeof data.display_name === "string" ? data.display_name : method;
  const policies = Array.isArray(data.policies) ? data.policies.join(", ") : "";
  conn.identity = `${name}${policies ? ` (policies: ${policies})` : ""}`;
  conn.creds = creds;
  return creds;
}
