/**
 * Keep the developer's own AWS setup out of every test: no keys, profile, region or endpoint
 * from the environment, and config files that do not exist. Tests that exercise the default
 * chain or profiles set what they need and restore it.
 */
const INHERITED = [
  "AWS_PROFILE",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_REGION",
  "AWS_DEFAULT_REGION",
  "AWS_ENDPOINT_URL",
  "AWS_ENDPOINT_URL_SECRETS_MANAGER",
  "AWS_ENDPOINT_URL_STS",
  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
  "AWS_CONTAINER_CREDENTIALS_FULL_URI",
  "AWS_WEB_IDENTITY_TOKEN_FILE",
  "AWS_ROLE_ARN",
];
for (const name of INHERITED) delete process.env[name];
process.env.AWS_CONFIG_FILE = "/nonexistent/vaultlink-test/aws-config";
process.env.AWS_SHARED_CREDENTIALS_FILE = "/nonexistent/vaultlink-test/aws-credentials";
process.env.AWS_EC2_METADATA_DISABLED = "true";
