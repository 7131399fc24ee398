import type { AuthenticateInput, ProviderSession } from "@vaultlink/core/plugin";
import { clientConfig } from "../client.js";
import { signInError } from "../errors.js";
import { type StaticKeys, toSessionCredentials } from "../session.js";
import { type AwsPluginOptions, text } from "../settings.js";
import { withAccessKeyMfa } from "./access-key-mfa.js";
import { credentialSourceFor, type ResolvedCredentials } from "./credential-source.js";
import { AUTH_METHOD } from "./methods.js";

export interface SignInInput extends AuthenticateInput {
  integrationId: string;
  /** The integration's stored settings; the input's settings win over them. */
  storedSettings: Record<string, unknown>;
  options: AwsPluginOptions;
  /** Something the person should know that is not a failure (a permission that is missing). */
  warn: (message: string) => void;
}

/**
 * Resolve credentials with the SDK's provider for the method, then prove them with
 * sts:GetCallerIdentity (which no IAM policy can deny). The session holds the resolved keys and
 * their real expiry: none for long-lived keys, the STS/SSO expiration for temporary ones.
 */
export async function signIn(input: SignInInput): Promise<ProviderSession> {
  const settings = { ...input.storedSettings, ...input.settings };
  const region = text(settings, "region");
  const endpoint = text(settings, "endpoint");
  const stsConfig = clientConfig({ region, endpoint }, input.options);

  const source = await credentialSourceFor({
    method: input.method,
    settings,
    secrets: input.secrets,
    ...(input.previous ? { previousCredentials: input.previous.credentials } : {}),
    stsConfig,
    ...(input.ask ? { ask: input.ask } : {}),
  });
  const profile = source.profile;
  if (source.autofilled && profile) {
    input.notify?.(
      `Signed in with the "${profile}" profile of the AWS shared files (no profile was named; "main" is tried before "default").`,
    );
  }

  let resolved: ResolvedCredentials;
  try {
    resolved = await source.provider();
  } catch (error) {
    throw signInError(error, input.integrationId, source.action, source.subject);
  }
  if (input.method === AUTH_METHOD.accessKey) {
    resolved = await withAccessKeyMfa({
      keys: resolved,
      settings,
      secrets: input.secrets,
      clientConfig: clientConfig({ region, endpoint }, input.options),
      integrationId: input.integrationId,
      warn: input.warn,
      signal: input.signal,
      ask: input.ask,
    });
  }
  const keys: StaticKeys = {
    accessKeyId: resolved.accessKeyId,
    secretAccessKey: resolved.secretAccessKey,
    ...(resolved.sessionToken ? { sessionToken: resolved.sessionToken } : {}),
  };

  const { STSClient, GetCallerIdentityCommand } = await import("@aws-sdk/client-sts");
  const sts = new STSClient({
    ...clientConfig({ region, endpoint, profile }, input.options),
    credentials: keys,
  });
  let identity: string | undefined;
  let resolvedRegion: string;
  try {
    identity = (await sts.send(new GetCallerIdentityCommand({}))).Arn;
    resolvedRegion = await sts.config.region();
  } catch (error) {
    throw signInError(error, input.integrationId, "sts:GetCallerIdentity");
  } finally {
    sts.destroy();
  }

  return {
    credentials: toSessionCredentials(keys, source.source),
    ...(resolved.expiration ? { expiresAt: new Date(resolved.expiration) } : {}),
    // Keep the region the SDK found (env, profile) so fetches do not depend on it later, and
    // the profile picked from the shared files, so a reauth uses the same one.
    ...(region && !source.autofilled
      ? {}
      : {
          settings: {
            ...(region ? {} : { region: resolvedRegion }),
            ...(source.autofilled && profile ? { profile } : {}),
          },
        }),
    ...(identity ? { identity } : {}),
  };
}
