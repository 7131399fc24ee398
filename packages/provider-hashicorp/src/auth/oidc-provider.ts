import { isVaultlinkError, providerError } from "@vaultlink/core/plugin";
import type { VaultClient } from "../client.js";
import { describeFailure, toError } from "../errors.js";
import { settingsFetch } from "../http-fetch.js";
import { PROVIDER_ID } from "../meta.js";
import type { VaultSettings } from "../settings.js";
import { type LoginResult, loginFailure } from "./login.js";
import { openInBrowser, openLoopback, refusedSignIn } from "./loopback.js";
import { defaultMount, defaultRole } from "./methods.js";
import { loopbackPorts, type OidcOptions } from "./oidc.js";

function failed(message: string, hint: string, details?: Record<string, unknown>): Error {
  return providerError(PROVIDER_ID, "AUTH_FAILED", message, {
    hint,
    ...(details ? { details } : {}),
  });
}

/**
 * Postman's HashiCorp sign-in: Vault is itself the OpenID provider
 * (identity/oidc/provider/<name>, a public client). The person signs in in the browser; the
 * authorization code comes back to http://127.0.0.1:10545/ (or 10534) and is traded, with the
 * PKCE verifier, for an ID token, which logs in to Vault's JWT auth method
 * (auth/<authMount>/login, role). OAuth parts: oauth4webapi.
 */
export async function oidcProviderLogin(
  client: VaultClient,
  settings: VaultSettings,
  options: OidcOptions,
): Promise<LoginResult> {
  const providerUrl = settings.oidcProviderUrl;
  const clientId = settings.clientId;
  if (!providerUrl)
    throw failed(
      "The Vault OIDC provider sign-in needs the OIDC provider URL.",
      "An admin sets oidcProviderUrl (…/v1/identity/oidc/provider/<name>); vaultlink integration setup hashicorp prints it.",
    );
  if (!clientId)
    throw failed(
      "The Vault OIDC provider sign-in needs the client id.",
      "An admin sets clientId (the client_id of identity/oidc/client/<name>).",
    );
  const oauth = await import("oauth4webapi");
  const fetchImpl = await settingsFetch(settings);
  const http = {
    [oauth.customFetch]: fetchImpl,
    ...(providerUrl.startsWith("http:") ? { [oauth.allowInsecureRequests]: true } : {}),
  };
  const issuer = new URL(providerUrl.replace(/\/+$/, ""));
  let as: Awaited<ReturnType<typeof oauth.processDiscoveryResponse>>;
  try {
    as = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { algorithm: "oidc", ...http }),
    );
  } catch (error) {
    throw oauthFailure(
      error,
      `reading the OIDC provider's discovery document at ${issuer.href}`,
      settings,
    );
  }
  if (!as.authorization_endpoint || !as.token_endpoint)
    throw failed(
      `The OIDC provider at ${issuer.href} names no authorization or token endpoint.`,
      "Check oidcProviderUrl: it is the provider's issuer URL.",
    );
  const oauthClient = { client_id: clientId };
  const loopback = await openLoopback(loopbackPorts(options.port), "/");
  const redirectUri = `http://127.0.0.1:${loopback.port}/`;
  try {
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const nonce = oauth.generateRandomNonce();
    const authUrl = new URL(as.authorization_endpoint);
    authUrl.search = new URLSearchParams({
      client_id: clientId,
      response_type: "code",
      scope: "openid",
      redirect_uri: redirectUri,
      state,
      nonce,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
    }).toString();
    // Only the redirect carrying this sign-in's state ends the wait; a stray one is turned away.
    const waiting = loopback.waitForRedirect(options.timeoutMs ?? 5 * 60_000, {
      state,
      integrationId: options.integrationId,
    });
    options.notify?.(`Sign in to Vault in your browser: ${authUrl.href}`);
    if (options.openBrowser !== false) openInBrowser(authUrl.href);
    const { url, respond } = await waiting;
    const refused = refusedSignIn(
      url.searchParams,
      "Check that your Vault account may use the OIDC client (its assignments).",
    );
    if (refused) {
      respond(false);
      throw refused;
    }
    let idToken: string;
    try {
      const params = oauth.validateAuthResponse(as, oauthClient, url.searchParams, state);
      const response = await oauth.authorizationCodeGrantRequest(
        as,
        oauthClient,
        oauth.None(),
        params,
        redirectUri,
        verifier,
        http,
      );
      const result = await oauth.processAuthorizationCodeResponse(as, oauthClient, response, {
        expectedNonce: nonce,
        requireIdToken: true,
      });
      idToken = result.id_token as string;
    } catch (error) {
      respond(false);
      throw oauthFailure(error, "trading the authorization code at the OIDC provider", settings);
    }
    const mount = settings.authMount ?? defaultMount("oidc-provider");
    const role = settings.role ?? defaultRole("oidc-provider");
    try {
      const response = await client.write(`auth/${mount}/login`, { role, jwt: idToken });
      respond(true);
      return { response };
    } catch (error) {
      respond(false);
      throw loginFailure(error, `JWT login at auth/${mount} (role "${role}")`, settings.address);
    }
  } finally {
    loopback.close();
  }
}

/** OAuth errors (a refused grant, a bad ID token) as AUTH_FAILED; network ones as UNREACHABLE. */
function oauthFailure(error: unknown, what: string, settings: VaultSettings): Error {
  if (isVaultlinkError(error)) return error;
  const e = error as {
    name?: string;
    code?: string;
    message?: string;
    error?: string;
    error_description?: string;
    cause?: unknown;
  };
  if (e?.name === "ResponseBodyError" || e?.name === "AuthorizationResponseError") {
    return failed(
      `The OIDC provider refused ${what}: ${e.error ?? "error"}${e.error_description ? ` (${String(e.error_description).slice(0, 200)})` : ""}.`,
      "Check the client id, and that http://127.0.0.1:10545/ and http://127.0.0.1:10534/ are the client's redirect URIs.",
    );
  }
  if (e?.name === "OperationProcessingError" || e?.name === "UnsupportedOperationError") {
    return failed(
      `The OIDC provider's answer could not be used while ${what}: ${String(e.message ?? "").slice(0, 200)}.`,
      "Check oidcProviderUrl (the provider's issuer URL) and the client id.",
      e.code ? { oauthCode: e.code } : undefined,
    );
  }
  return toError(describeFailure(error, what, settings.address));
}
