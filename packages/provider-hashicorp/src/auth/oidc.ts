import { randomBytes } from "node:crypto";
import { providerError } from "@vaultlink/core/plugin";
import type { VaultClient } from "../client.js";
import { PROVIDER_ID } from "../meta.js";
import type { VaultSettings } from "../settings.js";
import { type LoginResult, loginFailure } from "./login.js";
import { openInBrowser, openLoopback, refusedSignIn } from "./loopback.js";
import { defaultMount, OIDC_PORTS } from "./methods.js";

export interface OidcOptions {
  /** Loopback port; the default 10545 falls back to 10534 when busy. 0 picks a free port. */
  port?: number;
  openBrowser?: boolean;
  notify?: (message: string) => void;
  /** How long to wait for the browser (ms). */
  timeoutMs?: number;
  /** For messages: the command that signs in again names it. */
  integrationId?: string;
}

/** The loopback ports to try: the default falls back to the second registered one. */
export function loopbackPorts(port: number | undefined): number[] {
  return port === undefined || port === OIDC_PORTS[0] ? [...OIDC_PORTS] : [port];
}

/**
 * `vault login -method=oidc` (Vault's OIDC *auth method*, with an outside identity provider):
 * ask Vault for the provider's authorization URL with a loopback redirect URI, send the person
 * there, receive code and state on the loopback server, and trade them at
 * auth/<mount>/oidc/callback for a Vault token.
 */
export async function oidcLogin(
  client: VaultClient,
  settings: VaultSettings,
  options: OidcOptions,
): Promise<LoginResult> {
  const mount = settings.authMount ?? defaultMount("oidc");
  const what = `OIDC login at auth/${mount}`;
  const loopback = await openLoopback(loopbackPorts(options.port), "/oidc/callback");
  const redirectUri = `http://127.0.0.1:${loopback.port}/oidc/callback`;
  const clientNonce = randomBytes(20).toString("hex");
  try {
    let authUrl: unknown;
    try {
      const response = await client.write(`auth/${mount}/oidc/auth_url`, {
        ...(settings.role ? { role: settings.role } : {}),
        redirect_uri: redirectUri,
        client_nonce: clientNonce,
      });
      authUrl = response.data?.auth_url;
    } catch (error) {
      throw loginFailure(error, `${what} (auth_url)`, settings.address);
    }
    if (typeof authUrl !== "string" || authUrl === "") {
      throw providerError(
        PROVIDER_ID,
        "AUTH_FAILED",
        `Vault gave no authorization URL for the ${what}.`,
        {
          hint: `Check the role and that ${redirectUri} is one of the role's allowed_redirect_uris.`,
        },
      );
    }
    // Only the redirect carrying this sign-in's state ends the wait; a stray one is turned away.
    const waiting = loopback.waitForRedirect(options.timeoutMs ?? 5 * 60_000, {
      state: stateOf(authUrl),
      integrationId: options.integrationId,
    });
    options.notify?.(`Sign in to Vault in your browser: ${authUrl}`);
    if (options.openBrowser !== false) openInBrowser(authUrl);

    const { url, respond } = await waiting;
    const query = url.searchParams;
    const refused = refusedSignIn(query, "Check that your account may use the Vault OIDC role.");
    if (refused) {
      respond(false);
      throw refused;
    }
    const params = new URLSearchParams({
      state: query.get("state") ?? "",
      code: query.get("code") ?? "",
      id_token: query.get("id_token") ?? "",
      client_nonce: clientNonce,
    });
    try {
      const response = await client.read(`auth/${mount}/oidc/callback?${params.toString()}`);
      respond(true);
      return { response };
    } catch (error) {
      respond(false);
      throw loginFailure(error, `${what} (callback)`, settings.address);
    }
  } finally {
    loopback.close();
  }
}

/** The `state` Vault put into the authorization URL (undefined when it put none). */
function stateOf(authUrl: string): string | undefined {
  try {
    return new URL(authUrl).searchParams.get("state") ?? undefined;
  } catch {
    return undefined;
  }
}
