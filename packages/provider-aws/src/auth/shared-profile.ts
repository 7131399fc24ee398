import { join } from "node:path";
import { providerError } from "@vaultlink/core/plugin";
import { PROVIDER_ID } from "../meta.js";
import { AUTH_METHOD } from "./methods.js";

/** The profiles tried, in order, when a sign-in names none (Postman's autofill order). */
export const AUTOFILL_PROFILES = ["main", "default"] as const;

/**
 * The first of `main` and `default` that the AWS shared files define (config file
 * `[profile main]` / `[default]`, or a credentials file section), read with the SDK's own
 * loader, so AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE count as they do for the CLI.
 */
export async function autofillProfile(): Promise<string> {
  const { getHomeDir, loadSharedConfigFiles } = await import("@smithy/core/config");
  const { configFile, credentialsFile } = await loadSharedConfigFiles({ ignoreCache: true });
  const found = AUTOFILL_PROFILES.find(
    (name) => Object.hasOwn(configFile, name) || Object.hasOwn(credentialsFile, name),
  );
  if (found) return found;
  const configPath = process.env.AWS_CONFIG_FILE || join(getHomeDir(), ".aws", "config");
  const credentialsPath =
    process.env.AWS_SHARED_CREDENTIALS_FILE || join(getHomeDir(), ".aws", "credentials");
  const others = Object.values(AUTH_METHOD).filter((m) => m !== AUTH_METHOD.profile);
  throw providerError(
    PROVIDER_ID,
    "AUTH_FAILED",
    `No AWS profile to sign in with: neither ${configPath} nor ${credentialsPath} defines a "main" or "default" profile.`,
    {
      hint:
        `Create one (\`aws configure\` writes "default"), name another with --profile <name>, ` +
        `or choose a method: --method ${others.join(" | ")}.`,
      details: { triedProfiles: [...AUTOFILL_PROFILES], configPath, credentialsPath },
    },
  );
}
