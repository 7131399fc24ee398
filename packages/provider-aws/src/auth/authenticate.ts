import {
  type AuthenticateInput,
  isVaultlinkError,
  type ProviderSession,
  providerError,
} from "@vaultlink/core/plugin";
import { clientConfig } from "../clients.js";
import { type MappedError, mapAwsError } from "../errors.js";
import { AUTH_METHOD, type AwsPluginOptions, text } from "../options.js";
import { PROVIDER_ID } from "../reference.js";
import { type StaticKeys, toSessionCredentials } from "../session.js";
import { credentialSourceFor, type ResolvedCredentials } from "./credential-source.js";

export interface SignInInput extends AuthenticateInput {
  integrationId: string;
  /** The integration's stored settings; the input's settings win over them. */
  storedSettings: Record<string, unknown>;
  options: AwsPluginOptions;
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
  const profile = input.method === AUTH_METHOD.profile ? text(settings, "profile") : undefined;
  const stsConfig = clientConfig({ region, endpoint }, input.options);

  const source = await credentialSourceFor({
    method: input.method,
    settings,
    secrets: input.secrets,
    ...(input.previous ? { previousCredentials: input.previous.credentials } : {}),
    stsConfig,
  });

  let resolved: ResolvedCredentials;
  try {
    resolved = await source.provider();
  } catch (error) {
    throw signInError(error, input.integrationId, source.action, source.subject);
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
    // Keep the region the SDK found (env, profile) so fetches do not depend on it later.
    ...(region ? {} : { settings: { region: resolvedRegion } }),
    ...(identity ? { identity } : {}),
  };
}

/** At sign-in, rejected credentials are a failed sign-in, not an expired session. */
function signInError(error: unknown, integrationId: string, action: string, subject?: string) {
  if (isVaultlinkError(error)) return error;
  const mapped: MappedError = mapAwsError(error, {
    integrationId,
    action,
    ...(subject ? { subject } : {}),
  });
  if (mapped.code === "AUTH_EXPIRED") {
    return providerError(PROVIDER_ID, "AUTH_FAILED", mapped.message, {
      hint: "The credentials are expired or invalid: give working ones.",
      cause: error,
      ...(mapped.details ? { details: mapped.details } : {}),
    });
  }
  return providerError(PROVIDER_ID, mapped.code, mapped.message, {
    cause: error,
    ...(mapped.hint ? { hint: mapped.hint } : {}),
    ...(mapped.details ? { details: mapped.details } : {}),
  });
}
