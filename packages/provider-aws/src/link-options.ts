import { type OptionSpec, providerError } from "@vaultlink/core/plugin";
import { PROVIDER_ID } from "./meta.js";

/** An IAM role ARN: arn:<partition>:iam::<12-digit account>:role/<path and name>. */
export const ROLE_ARN = /^arn:aws(?:-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

/** Options one linked secret may carry (`secret link … --role-arn <arn>`). */
export const LINK_OPTIONS: readonly OptionSpec[] = [
  {
    name: "roleArn",
    title: "Role ARN",
    type: "string",
    description:
      "An IAM role to assume (sts:AssumeRole, with the integration's credentials) to read this secret: arn:aws:iam::<12-digit account>:role/<name>.",
  },
];

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
