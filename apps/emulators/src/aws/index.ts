export { AccessKeyLedger, type AwsCredentials, accessKeyIdOf } from "./credentials.js";
export {
  type AwsEmulator,
  type AwsEmulatorOptions,
  awsOperationOf,
  startAwsEmulator,
} from "./emulator.js";
export { AWS_ACCOUNT_ID, AWS_FAULTS, AWS_JSON, type AwsFault, awsError } from "./errors.js";
export type { AwsIamUser } from "./iam.js";
export { ensureMotoAvailable, type MotoOptions, type MotoServer, startMoto } from "./moto.js";
export { AwsCallError, type AwsSecretPayload, type AwsSeedSecret } from "./seed.js";
