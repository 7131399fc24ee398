import { providerError } from "@vaultlink/core/plugin";
import { ROLE_ARN } from "./options.js";
import { PROVIDER_ID } from "./reference.js";

/** The plugin's `parseLinkOptions` hook: a link's `roleArn` must be an IAM role ARN. */
export function parseAwsLinkOptions(options: Record<string, string>): Record<string, string> {
  const { roleArn } = options;
  if (roleArn !== undefined && !ROLE_ARN.test(roleArn)) {
    throw providerError(
      PROVIDER_ID,
      "INVALID_REFERENCE",
      `"${roleArn}" is not an IAM role ARN, so --role-arn was refused.`,
      {
        hint: "Give arn:aws:iam::<12-digit account>:role/<name>, e.g. arn:aws:iam::123456789012:role/secrets-reader.",
      },
    );
  }
  return options;
}

/** The role a request's link names, if any. */
export function roleOf(options: Record<string, string> | undefined): string | undefined {
  return options?.roleArn;
}
