import type { TokenCredential } from "@azure/identity";
import type { SecretClient } from "@azure/keyvault-secrets";
import type { AzureReference } from "./reference.js";
import { type AzureConfig, tlsOptions } from "./settings.js";

type SecretsModule = typeof import("@azure/keyvault-secrets");
let secretsModule: Promise<SecretsModule> | undefined;

/** The Key Vault SDK, imported on the first read (never when the plugin loads). */
function loadSecrets(): Promise<SecretsModule> {
  secretsModule ??= import("@azure/keyvault-secrets");
  secretsModule.catch(() => {
    secretsModule = undefined;
  });
  return secretsModule;
}

/** A Key Vault client for the reference's vault, built with the SDK imported on first use. */
export async function createSecretClient(
  reference: AzureReference,
  credential: TokenCredential,
  options: { config: AzureConfig; userAgent: string },
): Promise<SecretClient> {
  const { SecretClient } = await loadSecrets();
  return new SecretClient(reference.vaultUrl, credential, {
    // A local vault's challenge names vault.azure.net, which its host cannot match.
    disableChallengeResourceVerification: reference.cloud === "custom",
    retryOptions: { maxRetries: options.config.maxRetries },
    userAgentOptions: { userAgentPrefix: options.userAgent },
    ...tlsOptions(options.config),
  });
}
