import type { AuthMethod, OptionSpec } from "@vaultlink/core/plugin";

/** The auth method ids. */
export const AUTH_METHOD = {
  defaultChain: "default-chain",
  profile: "profile",
  accessKey: "access-key",
  assumeRole: "assume-role",
} as const;

const mfaCode: OptionSpec = {
  name: "mfaCode",
  title: "MFA code",
  type: "string",
  secret: true,
  description:
    "The current code of the MFA device, when the role, the profile or the access key's user requires MFA.",
};

const accessKeyId = (required: boolean): OptionSpec => ({
  name: "accessKeyId",
  title: "Access key ID",
  type: "string",
  secret: true,
  required,
  env: "AWS_ACCESS_KEY_ID",
});
const secretAccessKey = (required: boolean): OptionSpec => ({
  name: "secretAccessKey",
  title: "Secret access key",
  type: "string",
  secret: true,
  required,
  env: "AWS_SECRET_ACCESS_KEY",
});
const sessionToken: OptionSpec = {
  name: "sessionToken",
  title: "Session token",
  type: "string",
  secret: true,
  env: "AWS_SESSION_TOKEN",
  description: "Only for temporary keys (ASIA…).",
};

export const AUTH_METHODS: readonly AuthMethod[] = [
  // First, so the default: `integration connect aws` with no method signs in with a profile
  // of the shared files, "main" else "default" when none is named.
  {
    id: AUTH_METHOD.profile,
    title: "Profile of the AWS shared files",
    description:
      "A profile from ~/.aws/config and ~/.aws/credentials (AWS_CONFIG_FILE, " +
      "AWS_SHARED_CREDENTIALS_FILE): static keys, SSO, credential_process or role_arn. " +
      'Without a profile name, "main", else "default".',
    options: [
      {
        name: "profile",
        title: "Profile name",
        type: "string",
        env: "AWS_PROFILE",
        description: 'Default: the "main" profile, else "default".',
      },
      mfaCode,
    ],
  },
  {
    id: AUTH_METHOD.defaultChain,
    title: "AWS SDK default credential chain",
    description:
      "Environment variables, the shared config and credentials files (AWS_PROFILE), SSO, " +
      "process credentials, then container and instance metadata, in the SDK's order.",
    options: [],
  },
  {
    id: AUTH_METHOD.accessKey,
    title: "Access key",
    description:
      "An access key ID and secret access key, plus a session token for temporary keys. " +
      "When the key's user has an MFA device (iam:ListMFADevices), give mfaCode.",
    options: [
      accessKeyId(true),
      secretAccessKey(true),
      sessionToken,
      mfaCode,
      {
        name: "mfaSerial",
        title: "MFA device serial or ARN",
        type: "string",
        description:
          "Which device the code is from, when the user has several; default: the first listed.",
      },
      {
        name: "durationSeconds",
        title: "MFA session duration (seconds)",
        type: "integer",
        min: 900,
        max: 129_600,
        description:
          "How long the MFA session lasts (sts:GetSessionToken); AWS's default is 43200 (12 hours).",
      },
    ],
  },
  {
    id: AUTH_METHOD.assumeRole,
    title: "Assume role",
    description:
      "Assume an IAM role with sts:AssumeRole. The source identity is the access key given here, " +
      "else sourceProfile, else the default credential chain.",
    options: [
      {
        name: "roleArn",
        title: "Role ARN",
        type: "string",
        required: true,
        description: "arn:aws:iam::<account>:role/<name-with-path>",
      },
      {
        name: "roleSessionName",
        title: "Role session name",
        type: "string",
        default: "vaultlink",
      },
      { name: "externalId", title: "External ID", type: "string" },
      {
        name: "durationSeconds",
        title: "Session duration (seconds)",
        type: "number",
        description: "900 up to the role's maximum; AWS's default is 3600.",
      },
      {
        name: "mfaSerial",
        title: "MFA device serial or ARN",
        type: "string",
        description: "When the role's trust policy requires MFA; give mfaCode with it.",
      },
      mfaCode,
      {
        name: "sourceProfile",
        title: "Source profile",
        type: "string",
        description: "Profile whose credentials call sts:AssumeRole (when no access key is given).",
      },
      accessKeyId(false),
      secretAccessKey(false),
      sessionToken,
    ],
  },
];
