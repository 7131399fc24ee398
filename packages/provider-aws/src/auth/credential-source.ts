import { type AuthenticateInput, providerError } from "@vaultlink/core/plugin";
import { ROLE_ARN } from "../link-options.js";
import { PROVIDER_ID } from "../meta.js";
import { readKeys, type StaticKeys } from "../session.js";
import { text } from "../settings.js";
import { AUTH_METHOD } from "./methods.js";
import { autofillProfile } from "./shared-profile.js";

/** What every SDK credential provider resolves to. */
export interface ResolvedCredentials extends StaticKeys {
  expiration?: Date;
}

export type CredentialProvider = () => Promise<ResolvedCredentials>;

export interface CredentialSource {
  provider: CredentialProvider;
  /** The IAM action resolving the provider performs, for error messages. */
  action: string;
  /** What it is about (the role ARN, the profile). */
  subject?: string;
  /** A static source key to keep in the session (assume-role only). */
  source?: StaticKeys;
  /** The shared-files profile signed in with (profile method). */
  profile?: string;
  /** True when no profile was named and `profile` was picked from the shared files. */
  autofilled?: boolean;
}

export interface SourceInput {
  method: string;
  settings: Record<string, unknown>;
  secrets: Record<string, unknown>;
  /** The credentials of the session being replaced, if any. */
  previousCredentials?: Record<string, unknown>;
  /** Configuration for the STS/SSO clients the SDK's providers build (endpoint, region, retries). */
  stsConfig: Record<string, unknown>;
  /** Ask the person (a terminal is there) for an MFA code the option did not give. */
  ask?: AuthenticateInput["ask"];
}

/**
 * Build the SDK's own credential provider for an auth method. Nothing here resolves
 * credentials by hand: environment, files, SSO, process and STS are the SDK's.
 */
export async function credentialSourceFor(input: SourceInput): Promise<CredentialSource> {
  const { method, settings, secrets, stsConfig } = input;
  switch (method) {
    case AUTH_METHOD.defaultChain: {
      const { fromNodeProviderChain } = await import("@aws-sdk/credential-providers");
      return {
        provider: fromNodeProviderChain({ clientConfig: stsConfig }),
        action: "the default credential chain",
      };
    }
    case AUTH_METHOD.profile: {
      const named = text(settings, "profile");
      const profile = named ?? (await autofillProfile());
      const { fromIni } = await import("@aws-sdk/credential-providers");
      return {
        provider: fromIni({
          profile,
          ignoreCache: true,
          clientConfig: stsConfig,
          mfaCodeProvider: mfaCodeFrom(secrets, `profile "${profile}"`, input.ask),
        }),
        action: `the "${profile}" profile`,
        subject: `profile "${profile}"`,
        profile,
        ...(named ? {} : { autofilled: true }),
      };
    }
    case AUTH_METHOD.accessKey: {
      const keys = readKeys(secrets);
      if (!keys) throw missing(method, "accessKeyId and secretAccessKey");
      return { provider: async () => keys, action: "the access key" };
    }
    case AUTH_METHOD.assumeRole:
      return assumeRoleSource(input);
    default:
      throw providerError(PROVIDER_ID, "AUTH_FAILED", `AWS has no auth method "${method}".`, {
        hint: `Use one of: ${Object.values(AUTH_METHOD).join(", ")}.`,
      });
  }
}

async function assumeRoleSource(input: SourceInput): Promise<CredentialSource> {
  const { settings, secrets, stsConfig } = input;
  const roleArn = text(settings, "roleArn");
  if (!roleArn) throw missing(AUTH_METHOD.assumeRole, "roleArn");
  if (!ROLE_ARN.test(roleArn)) {
    throw providerError(
      PROVIDER_ID,
      "AUTH_FAILED",
      `"${roleArn}" is not an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>).`,
    );
  }
  const sourceProfile = text(settings, "sourceProfile");
  const mfaSerial = text(settings, "mfaSerial");
  // A key given now wins; on reauth without one, the key stored with the previous session.
  const source =
    readKeys(secrets) ?? (sourceProfile ? undefined : readKeys(input.previousCredentials?.source));
  const { fromIni, fromNodeProviderChain, fromTemporaryCredentials } = await import(
    "@aws-sdk/credential-providers"
  );
  const masterCredentials = source
    ? async () => source
    : sourceProfile
      ? fromIni({ profile: sourceProfile, ignoreCache: true, clientConfig: stsConfig })
      : fromNodeProviderChain({ clientConfig: stsConfig });
  const duration = settings.durationSeconds;
  const externalId = text(settings, "externalId");
  return {
    provider: fromTemporaryCredentials({
      params: {
        RoleArn: roleArn,
        RoleSessionName: text(settings, "roleSessionName") ?? "vaultlink",
        ...(externalId ? { ExternalId: externalId } : {}),
        ...(typeof duration === "number" && duration > 0 ? { DurationSeconds: duration } : {}),
        ...(mfaSerial ? { SerialNumber: mfaSerial } : {}),
      },
      masterCredentials,
      clientConfig: stsConfig,
      mfaCodeProvider: mfaCodeFrom(secrets, `role ${roleArn}`, input.ask),
    }),
    action: "sts:AssumeRole",
    subject: roleArn,
    ...(source ? { source } : {}),
  };
}

/**
 * The MFA code for the SDK: the mfaCode option when given, else asked of the person when a
 * terminal is there (the SDK calls this only when the profile or role needs MFA).
 */
function mfaCodeFrom(
  secrets: Record<string, unknown>,
  what: string,
  ask: AuthenticateInput["ask"] | undefined,
) {
  return async (serial: string): Promise<string> => {
    const code = text(secrets, "mfaCode") ?? (await askMfaCode(ask, serial));
    if (code) return code;
    throw providerError(
      PROVIDER_ID,
      "AUTH_FAILED",
      `Signing in with ${what} needs an MFA code from device ${serial}.`,
      { hint: "Give the current code as the mfaCode option and sign in again." },
    );
  };
}

/** Ask for the current code of `serial`; undefined when nobody can be asked or nothing was typed. */
export async function askMfaCode(
  ask: AuthenticateInput["ask"] | undefined,
  serial: string,
): Promise<string | undefined> {
  if (!ask) return undefined;
  const answer = (
    await ask({ name: "mfaCode", message: `MFA code from ${serial}`, secret: true })
  ).trim();
  return answer === "" ? undefined : answer;
}

function missing(method: string, what: string) {
  return providerError(PROVIDER_ID, "AUTH_FAILED", `The AWS ${method} auth method needs ${what}.`, {
    hint: "Give it when connecting the integration.",
  });
}
