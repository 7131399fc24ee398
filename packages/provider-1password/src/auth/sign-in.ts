import type { OPConnect } from "@1password/connect";
import type { Client } from "@1password/sdk";
import {
  type AuthenticateInput,
  errorFrom,
  type ProviderContext,
  type ProviderSession,
  providerError,
} from "@vaultlink/core/plugin";
import { createConnectClient, createSdkClient, type SdkAuth } from "../client.js";
import { mapConnectError, mapSdkError } from "../errors.js";
import { PROVIDER_ID } from "../meta.js";
import { type ConnectSettings, connectSettings } from "../settings.js";
import { checkConnectToken } from "./connect.js";
import { checkAccount } from "./desktop.js";
import { AUTH_METHODS, CONNECT_METHOD, DESKTOP_METHOD, SERVICE_ACCOUNT_METHOD } from "./methods.js";
import { checkServiceAccountToken } from "./service-account.js";

/** What an instance signs in with: the method and its settings and credentials. */
export interface SignIn {
  method: string;
  settings: Record<string, unknown>;
  credentials: Record<string, unknown>;
}

/** A sign-in that worked: the session for core, and the client that proved it, to keep. */
export interface SignedIn {
  session: ProviderSession;
  signIn: SignIn;
  sdk?: Client;
  connect?: { client: OPConnect; settings: ConnectSettings };
}

/**
 * An SDK client, its failures mapped to core's codes. The SDK's error is not kept as `cause`:
 * axios errors carry the request config, and the mapped message already says what failed.
 */
export async function sdkClient(
  ctx: ProviderContext,
  auth: SdkAuth,
  version: string,
  phase: "authenticate" | "fetch",
): Promise<Client> {
  try {
    return await createSdkClient(ctx, auth, version);
  } catch (error) {
    throw errorFrom(PROVIDER_ID, mapSdkError(error, phase));
  }
}

/**
 * Sign in with a service account token or the desktop app (both through the SDK), or a
 * Connect server (one cheap call proves the token).
 */
export async function signIn(
  ctx: ProviderContext,
  input: AuthenticateInput,
  version: string,
): Promise<SignedIn> {
  const settings = { ...input.settings };
  switch (input.method) {
    case SERVICE_ACCOUNT_METHOD.id: {
      const { signInAddress } = checkServiceAccountToken(input.secrets.token);
      const token = String(input.secrets.token).trim();
      const sdk = await sdkClient(ctx, { kind: "token", token }, version, "authenticate");
      return {
        session: { credentials: { token }, identity: `service account on ${signInAddress}` },
        signIn: { method: input.method, settings, credentials: { token } },
        sdk,
      };
    }
    case DESKTOP_METHOD.id: {
      const account = checkAccount(input.settings.account);
      const sdk = await sdkClient(ctx, { kind: "desktop", account }, version, "authenticate");
      return {
        session: {
          credentials: {},
          settings: { account },
          identity: `1Password desktop app, account ${account}`,
        },
        signIn: { method: input.method, settings: { ...settings, account }, credentials: {} },
        sdk,
      };
    }
    case CONNECT_METHOD.id: {
      const resolved = connectSettings(input.settings, ctx);
      const token = checkConnectToken(input.secrets.token);
      const client = await createConnectClient(resolved, token);
      try {
        // The cheapest call that needs a valid token.
        await client.listVaults();
      } catch (error) {
        throw errorFrom(
          PROVIDER_ID,
          mapConnectError(error, { host: resolved.host, vault: "" }, "authenticate"),
        );
      }
      return {
        session: {
          credentials: { token },
          settings: { host: resolved.host },
          identity: `Connect server at ${resolved.host}`,
        },
        signIn: { method: input.method, settings, credentials: { token } },
        connect: { client, settings: resolved },
      };
    }
    default:
      throw providerError(
        PROVIDER_ID,
        "AUTH_FAILED",
        `1Password has no sign-in method "${input.method}".`,
        { hint: `Use one of: ${AUTH_METHODS.map((m) => m.id).join(", ")}.` },
      );
  }
}
