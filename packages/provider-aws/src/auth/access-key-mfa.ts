import { type AuthenticateInput, providerError } from "@vaultlink/core/plugin";
import { mapAwsError, signInError } from "../errors.js";
import { PROVIDER_ID } from "../meta.js";
import type { StaticKeys } from "../session.js";
import { text } from "../settings.js";
import { askMfaCode, type ResolvedCredentials } from "./credential-source.js";

export interface AccessKeyMfaInput {
  keys: StaticKeys;
  settings: Record<string, unknown>;
  secrets: Record<string, unknown>;
  /** Configuration of the IAM and STS clients (region, endpoint, retries). */
  clientConfig: Record<string, unknown>;
  integrationId: string;
  /** Tell the person something that is not a failure (the check could not be made). */
  warn: (message: string) => void;
  signal?: AbortSignal | undefined;
  /** Ask the person for the code when the option did not give it (a terminal is there). */
  ask?: AuthenticateInput["ask"] | undefined;
}

/**
 * MFA for a long-lived access key, as Postman does it: iam:ListMFADevices (no user name, so
 * AWS lists the devices of the key's own user). No device: the key signs as it is. A device:
 * the mfaCode option (or, on a terminal, the code typed when asked) and sts:GetSessionToken turn key + code into session
 * credentials that expire. ListMFADevices denied: sign in without MFA and say so.
 * Temporary keys (with a session token) cannot call GetSessionToken and are used as given.
 */
export async function withAccessKeyMfa(input: AccessKeyMfaInput): Promise<ResolvedCredentials> {
  const { keys, integrationId } = input;
  if (keys.sessionToken) return keys;
  const { IAMClient, ListMFADevicesCommand } = await import("@aws-sdk/client-iam");
  const iam = new IAMClient({ ...input.clientConfig, credentials: keys });
  let serials: string[];
  try {
    const listed = await iam.send(new ListMFADevicesCommand({}), { abortSignal: input.signal });
    serials = (listed.MFADevices ?? []).map((d) => d.SerialNumber ?? "").filter((s) => s !== "");
  } catch (error) {
    const mapped = mapAwsError(error, { integrationId, action: "iam:ListMFADevices" });
    if (mapped.code !== "PERMISSION_DENIED") {
      throw signInError(error, integrationId, "iam:ListMFADevices");
    }
    input.warn(
      "Could not check whether the access key's user has an MFA device: iam:ListMFADevices is " +
        "denied. Signed in without MFA. If your account requires MFA, allow iam:ListMFADevices " +
        "on your own user and connect again with the code (mfaCode).",
    );
    return keys;
  } finally {
    iam.destroy();
  }
  if (serials.length === 0) return keys;

  const chosen = text(input.settings, "mfaSerial");
  const serial = chosen ?? (serials[0] as string);
  const listedText = serials.join(", ");
  const code = text(input.secrets, "mfaCode") ?? (await askMfaCode(input.ask, serial));
  if (!code) {
    throw providerError(
      PROVIDER_ID,
      "AUTH_FAILED",
      `The access key's IAM user has MFA device ${listedText}: signing in needs the current code from ${serial}.`,
      {
        hint:
          'Connect again with the code as the secret option mfaCode (in --secrets-stdin JSON: {"mfaCode": "123456"}, with the keys)' +
          (serials.length > 1 ? "; pick another device with --mfaSerial <serial>." : "."),
        details: { mfaDevices: serials, mfaSerial: serial },
      },
    );
  }

  const { STSClient, GetSessionTokenCommand } = await import("@aws-sdk/client-sts");
  const sts = new STSClient({ ...input.clientConfig, credentials: keys });
  try {
    const duration = input.settings.durationSeconds;
    const { Credentials } = await sts.send(
      new GetSessionTokenCommand({
        SerialNumber: serial,
        TokenCode: code,
        ...(typeof duration === "number" && duration > 0 ? { DurationSeconds: duration } : {}),
      }),
      { abortSignal: input.signal },
    );
    if (!Credentials?.AccessKeyId || !Credentials.SecretAccessKey || !Credentials.SessionToken) {
      throw providerError(
        PROVIDER_ID,
        "PROVIDER_ERROR",
        `sts:GetSessionToken answered without session credentials for MFA device ${serial}.`,
      );
    }
    return {
      accessKeyId: Credentials.AccessKeyId,
      secretAccessKey: Credentials.SecretAccessKey,
      sessionToken: Credentials.SessionToken,
      ...(Credentials.Expiration ? { expiration: new Date(Credentials.Expiration) } : {}),
    };
  } catch (error) {
    const mapped = mapAwsError(error, {
      integrationId,
      action: "sts:GetSessionToken",
      subject: `MFA device ${serial}`,
    });
    // AWS answers a wrong or reused code with AccessDenied ("MultiFactorAuthentication failed…").
    const awsMessage = error instanceof Error ? error.message : "";
    if (mapped.code === "PERMISSION_DENIED" && /MultiFactorAuthentication/i.test(awsMessage)) {
      throw providerError(
        PROVIDER_ID,
        "AUTH_FAILED",
        `AWS refused the MFA code for device ${serial}.`,
        {
          hint: "Codes change every 30 seconds and work once: give the current one and connect again.",
          cause: error,
          details: { ...mapped.details, mfaSerial: serial },
        },
      );
    }
    throw signInError(error, integrationId, "sts:GetSessionToken", `MFA device ${serial}`);
  } finally {
    sts.destroy();
  }
}
