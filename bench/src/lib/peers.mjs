import { DEFAULT_PROVIDERS } from "@aws-lambda-powertools/parameters/base";
import { getSecret, SecretsProvider } from "@aws-lambda-powertools/parameters/secrets";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";

/** A plain SDK v3 client for the emulator, with a fresh key pair. */
export function sdkClient(emulator) {
  return new SecretsManagerClient({
    region: emulator.region,
    endpoint: emulator.url,
    credentials: emulator.issueCredentials(),
    maxAttempts: 1,
  });
}

/**
 * Point Powertools' default SecretsProvider (the one `getSecret` uses) at the emulator, with
 * an empty cache. Returns the client, to destroy after use.
 */
export function usePowertools(emulator) {
  const client = sdkClient(emulator);
  DEFAULT_PROVIDERS.secrets = new SecretsProvider({ awsSdkV3Client: client });
  return client;
}

/** Powertools `getSecret` with a cache that outlives the bench (its default is 5 s). */
export const POWERTOOLS_MAX_AGE_S = 3600;
export const powertoolsGet = (name) => getSecret(name, { maxAge: POWERTOOLS_MAX_AGE_S });

export async function sdkGet(client, name) {
  const out = await client.send(new GetSecretValueCommand({ SecretId: name }));
  return out.SecretString;
}
