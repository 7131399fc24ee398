import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { StaticKeys } from "./session.js";
import type { AwsPluginOptions } from "./settings.js";

export type SecretsManagerSdk = typeof import("@aws-sdk/client-secrets-manager");

/** Fail fast on a dead endpoint instead of waiting for the OS's TCP timeout. */
const CONNECTION_TIMEOUT_MS = 5_000;

export interface ClientSettings {
  region?: string | undefined;
  endpoint?: string | undefined;
  /** A named profile, so the SDK reads that profile's region. */
  profile?: string | undefined;
}

/** The configuration every SDK client the plugin builds shares (Secrets Manager and STS). */
export function clientConfig(settings: ClientSettings, options: AwsPluginOptions) {
  return {
    ...(settings.region ? { region: settings.region } : {}),
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    ...(settings.profile ? { profile: settings.profile } : {}),
    maxAttempts: options.maxAttempts,
    retryMode: options.retryMode,
    requestHandler: {
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      requestTimeout: options.requestTimeoutMs,
      // Without this the SDK only prints a warning to the console when the time is up, and
      // keeps waiting.
      throwOnRequestTimeout: true,
    },
  };
}

/**
 * Secrets Manager clients, one per region, for one set of keys. New keys (after a reauth)
 * replace every client; the SDK is imported on the first call only.
 */
export class SecretsManagerClients {
  #keysId: string | undefined;
  #byRegion = new Map<string, SecretsManagerClient>();

  constructor(private readonly options: AwsPluginOptions) {}

  async get(
    region: string,
    endpoint: string | undefined,
    keys: StaticKeys,
  ): Promise<{ client: SecretsManagerClient; sdk: SecretsManagerSdk }> {
    const sdk = await import("@aws-sdk/client-secrets-manager");
    // From here on no await: two concurrent calls must not both build a client.
    const keysId = `${keys.accessKeyId}\0${keys.sessionToken ?? ""}\0${endpoint ?? ""}`;
    if (keysId !== this.#keysId) {
      this.dispose();
      this.#keysId = keysId;
    }
    let client = this.#byRegion.get(region);
    if (!client) {
      client = new sdk.SecretsManagerClient({
        ...clientConfig({ region, endpoint }, this.options),
        credentials: { ...keys },
      });
      this.#byRegion.set(region, client);
    }
    return { client, sdk };
  }

  dispose(): void {
    for (const client of this.#byRegion.values()) client.destroy();
    this.#byRegion.clear();
    this.#keysId = undefined;
  }
}
