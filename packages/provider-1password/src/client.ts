import type { OPConnect } from "@1password/connect";
import type { Client, createClient } from "@1password/sdk";
import type { ProviderContext } from "@vaultlink/core/plugin";
import type { ConnectSettings } from "./settings.js";

/**
 * Builds an authenticated SDK client. The default is the SDK's own `createClient`; tests and
 * embedders may pass another as the plugin option `sdkClientFactory` (for example one that
 * returns `new sdk.Client(fakeInnerClient)`). It is deliberately absent from the option specs
 * users see.
 */
/** `createClient`'s argument; the SDK does not export its type by name. */
export type ClientConfiguration = Parameters<typeof createClient>[0];

export type SdkClientFactory = (config: ClientConfiguration) => Promise<Client>;

export const SDK_CLIENT_FACTORY_OPTION = "sdkClientFactory";

/** How the SDK signs in: a service account token, or the desktop app for an account. */
export type SdkAuth = { kind: "token"; token: string } | { kind: "desktop"; account: string };

type Sdk = typeof import("@1password/sdk");

export async function createSdkClient(
  ctx: ProviderContext,
  auth: SdkAuth,
  integrationVersion: string,
): Promise<Client> {
  const injected = ctx.pluginOptions[SDK_CLIENT_FACTORY_OPTION];
  const factory = typeof injected === "function" ? (injected as SdkClientFactory) : undefined;
  // Loaded only here, on the first fetch or sign-in: a cache hit never loads the WASM core.
  const sdk = factory && auth.kind === "token" ? undefined : await import("@1password/sdk");
  const config: ClientConfiguration = {
    auth: auth.kind === "token" ? auth.token : new (sdk as Sdk).DesktopAuth(auth.account),
    integrationName: "vaultlink",
    integrationVersion,
  };
  return factory ? factory(config) : (sdk as Sdk).createClient(config);
}

/** A Connect client for the server; the Connect SDK (and axios) is imported here, on first use. */
export async function createConnectClient(
  settings: ConnectSettings,
  token: string,
): Promise<OPConnect> {
  const { OnePasswordConnect } = await import("@1password/connect");
  return OnePasswordConnect({
    serverURL: settings.host,
    token,
    keepAlive: false,
    timeout: settings.timeoutMs,
  });
}
