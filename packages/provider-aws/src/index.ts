import { defineProvider } from "@vaultlink/core/plugin";
import { AUTH_METHODS } from "./auth/methods.js";
import { createInstance } from "./instance.js";
import { LINK_OPTIONS, parseAwsLinkOptions } from "./link-options.js";
import { META, PROVIDER_ID } from "./meta.js";
import { parseAwsReference, REFERENCE_EXAMPLES } from "./reference.js";
import { SETTINGS } from "./settings.js";
import { checkAwsVersion } from "./version.js";

/** AWS Secrets Manager: secrets by ARN or name, through the AWS SDK for JavaScript v3. */
const awsProvider = defineProvider({
  apiVersion: 1,
  meta: META,
  id: PROVIDER_ID,
  title: "AWS Secrets Manager",
  scope: "personal",
  authMethods: AUTH_METHODS,
  settings: SETTINGS,
  capabilities: { batch: true, versions: true, jsonKey: true, binary: true },
  referenceExamples: REFERENCE_EXAMPLES,
  parseReference: parseAwsReference,
  parseVersion: checkAwsVersion,
  linkOptions: LINK_OPTIONS,
  parseLinkOptions: parseAwsLinkOptions,
  create: createInstance,
});

export default awsProvider;
export { AUTH_METHOD } from "./auth/methods.js";
export { type MappedError, mapAwsError } from "./errors.js";
export { type AwsReference, parseAwsReference } from "./reference.js";
export type { AwsPluginOptions } from "./settings.js";
export { checkAwsVersion, parseVersion, type VersionSelector } from "./version.js";
