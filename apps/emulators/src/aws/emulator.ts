import {
  type EmulatorRequest,
  type EmulatorResponse,
  type RunningEmulator,
  startEmulatorServer,
} from "../shared/index.js";
import { AccessKeyLedger, type AwsCredentials, accessKeyIdOf } from "./credentials.js";
import { awsError, awsFaultResponse, awsQueryFaultResponse } from "./errors.js";
import { forward } from "./forward.js";
import {
  type AwsIamUser,
  emptyMfaDeviceList,
  MotoIamClient,
  sessionTokenMfaRefusal,
} from "./iam.js";
import { type MotoOptions, type MotoServer, startMoto } from "./moto.js";
import { type AwsSecretPayload, type AwsSeedSecret, MotoSecretsClient } from "./seed.js";
import { signatureMatches } from "./sigv4.js";

export interface AwsEmulatorOptions extends MotoOptions {
  /** Port of the fault layer (the URL SDKs talk to). Default: a free port. */
  port?: number;
  /** Region used for seeding; SDK clients should use the same. Default "us-east-1". */
  region?: string;
  /**
   * Check SigV4 signatures. Then only key pairs from `credentials` or issueCredentials() work:
   * an unknown key id gets UnrecognizedClientException, a wrong secret InvalidSignatureException.
   * Default false (any key id works, as with moto alone).
   */
  verifySignatures?: boolean;
  /** Key pairs known from the start (used when verifySignatures is on). */
  credentials?: AwsCredentials[];
}

export interface AwsEmulator extends Omit<RunningEmulator, "reset"> {
  region: string;
  /** The moto server behind the fault layer (seeding and resets go there directly). */
  moto: MotoServer;
  /** Create each secret (or add a new current version if the name exists); returns the ARNs. */
  seed(secrets: AwsSeedSecret[]): Promise<string[]>;
  /** Add a new AWSCURRENT version to an existing secret (the old one becomes AWSPREVIOUS). */
  putSecretValue(
    secretId: string,
    payload: AwsSecretPayload,
  ): Promise<{ arn: string; versionId: string }>;
  /** A fresh access key pair that works until the next expireCredentials(). */
  issueCredentials(): AwsCredentials;
  /**
   * An IAM user in moto with its own access key (which works with signature checks on), and an
   * enabled virtual MFA device when `mfa` is true.
   */
  createIamUser(userName: string, options?: { mfa?: boolean }): Promise<AwsIamUser>;
  /** Wipe moto (every secret), faults, counters and expired keys. */
  reset(): Promise<void>;
}

/**
 * A query-protocol call (STS, IAM: a form body with an Action and no x-amz-target), with the
 * service named in its SigV4 credential scope ("sts", "iam"); undefined for JSON-protocol calls.
 */
function queryCallOf(req: EmulatorRequest): { action: string; service: string } | undefined {
  if (req.headers["x-amz-target"] !== undefined || req.url.pathname.startsWith("/moto-api")) {
    return undefined;
  }
  const action = operationOfRequest(req);
  if (action === "unknown") return undefined;
  const auth = String(req.headers.authorization ?? "");
  const service = /Credential=[^/]+\/[^/]+\/[^/]+\/([a-z0-9-]+)\//.exec(auth)?.[1] ?? "sts";
  return { action, service };
}

/** STS's AccessDenied, in the query protocol's XML. */
function stsAccessDenied(message: string): EmulatorResponse {
  return {
    status: 403,
    headers: { "content-type": "text/xml" },
    body:
      '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>' +
      `<Code>AccessDenied</Code><Message>${message}</Message></Error>` +
      "<RequestId>emulator</RequestId></ErrorResponse>",
  };
}

/** The key pair in an STS answer's <Credentials>, if it has one. */
function stsCredentialsOf(body: unknown): AwsCredentials | undefined {
  if (!Buffer.isBuffer(body)) return undefined;
  const xml = body.toString("utf8");
  const accessKeyId = /<AccessKeyId>([^<]+)<\/AccessKeyId>/.exec(xml)?.[1];
  const secretAccessKey = /<SecretAccessKey>([^<]+)<\/SecretAccessKey>/.exec(xml)?.[1];
  return accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined;
}

/** A fault in the protocol of the request: XML for STS/IAM, JSON for Secrets Manager. */
function faultFor(kind: string, req: EmulatorRequest): EmulatorResponse {
  const query = queryCallOf(req);
  if (query) {
    const roleArn = new URLSearchParams(req.body.toString("utf8")).get("RoleArn") ?? "*";
    return awsQueryFaultResponse(kind, query.action, query.service, roleArn);
  }
  return awsFaultResponse(kind, operationOfRequest(req), req.body);
}

/** The error for a request whose key is expired, unknown or wrongly signed; else undefined. */
function checkCredentials(
  keys: AccessKeyLedger,
  req: EmulatorRequest,
  verify: boolean,
): EmulatorResponse | undefined {
  const keyId = accessKeyIdOf(req.headers.authorization);
  if (keyId !== undefined && keys.isExpired(keyId)) {
    return faultFor("ExpiredTokenException", req);
  }
  if (verify) {
    const secret = keyId === undefined ? undefined : keys.secretOf(keyId);
    if (secret === undefined) return faultFor("UnrecognizedClientException", req);
    if (!signatureMatches(req, secret)) {
      return faultFor("InvalidSignatureException", req);
    }
  }
  if (keyId !== undefined) keys.admit(keyId);
  return undefined;
}

/**
 * moto answers GetSecretValue for a stage no version carries with "can't find the specified
 * secret", as if the secret were missing; Secrets Manager names the staging label instead. When
 * the request asked for a stage of a secret that exists, return that stage; else undefined.
 */
async function missingStageOf(
  client: MotoSecretsClient,
  req: EmulatorRequest,
): Promise<string | undefined> {
  if (operationOfRequest(req) !== "GetSecretValue") {
    return undefined;
  }
  let input: { SecretId?: unknown; VersionStage?: unknown; VersionId?: unknown };
  try {
    input = JSON.parse(req.body.toString("utf8")) as typeof input;
  } catch {
    return undefined;
  }
  const { SecretId, VersionStage, VersionId } = input;
  if (typeof SecretId !== "string" || typeof VersionStage !== "string" || VersionId !== undefined) {
    return undefined;
  }
  try {
    await client.call("DescribeSecret", { SecretId });
    return VersionStage;
  } catch {
    return undefined; // the secret itself is missing: moto's answer is right
  }
}

/**
 * Name the operation from `x-amz-target: secretsmanager.GetSecretValue` (JSON protocol), or from
 * the `Action` field of a query-protocol form body (STS: `Action=AssumeRole&…`).
 */
export function awsOperationOf(
  target: string | string[] | undefined,
  path: string,
  body?: Buffer,
): string {
  const value = Array.isArray(target) ? target[0] : target;
  if (value) return value.slice(value.lastIndexOf(".") + 1);
  if (path.startsWith("/moto-api")) return "moto-api";
  const action = body ? new URLSearchParams(body.toString("utf8")).get("Action") : null;
  return action && /^[A-Za-z]+$/.test(action) ? action : "unknown";
}

const operationOfRequest = (req: EmulatorRequest) =>
  awsOperationOf(req.headers["x-amz-target"], req.url.pathname, req.body);

/**
 * moto (the real Secrets Manager logic) behind a fault-injecting front server. Every request
 * other than the control API is forwarded to moto as is.
 */
export async function startAwsEmulator(options: AwsEmulatorOptions = {}): Promise<AwsEmulator> {
  const region = options.region ?? "us-east-1";
  const moto = await startMoto(options);
  const client = new MotoSecretsClient(moto.url, region);
  const iam = new MotoIamClient(moto.url);
  const keys = new AccessKeyLedger();
  const registerStartupKeys = () => {
    for (const pair of options.credentials ?? []) keys.register(pair);
  };
  registerStartupKeys();
  let pendingReset: Promise<void> = Promise.resolve();

  const seed = async (secrets: AwsSeedSecret[]) => {
    const arns: string[] = [];
    for (const secret of secrets) arns.push((await client.upsert(secret)).arn);
    return arns;
  };

  const createIamUser = async (userName: string, opts: { mfa?: boolean } = {}) => {
    const user = await iam.createUser(userName, opts.mfa ?? false);
    keys.register(user.credentials);
    return user;
  };

  let running: RunningEmulator;
  try {
    running = await startEmulatorServer(
      {
        name: "aws-secrets-manager",
        jsonContentType: "application/x-amz-json-1.1",
        operationOf: operationOfRequest,
        faultResponse: (kind, req) => faultFor(kind, req),
        expireCredentials: () => keys.expireAll(),
        reset: () => {
          keys.reset();
          registerStartupKeys();
          const attempt = moto.reset();
          attempt.catch(() => undefined); // reported by the next request or by reset()
          pendingReset = attempt;
        },
        handle: async (req) => {
          await pendingReset;
          // Secrets Manager (JSON protocol) and STS/IAM (query protocol) calls; not moto's own API.
          const isApiCall =
            req.headers["x-amz-target"] !== undefined || queryCallOf(req) !== undefined;
          if (isApiCall) {
            const refused = checkCredentials(keys, req, options.verifySignatures ?? false);
            if (refused) return refused;
          }
          let upstream = req;
          if (queryCallOf(req)?.action === "ListMFADevices") {
            const named = await iam.withImplicitUserName(
              req,
              accessKeyIdOf(req.headers.authorization),
            );
            if (!named) return emptyMfaDeviceList();
            upstream = named;
          }
          if (queryCallOf(req)?.action === "GetSessionToken") {
            const refusal = await sessionTokenMfaRefusal(
              iam,
              req,
              accessKeyIdOf(req.headers.authorization),
            );
            if (refusal) return stsAccessDenied(refusal);
          }
          const response = await forward(moto.url, upstream);
          // Keys STS hands out (AssumeRole…) work like issued ones, signature checks included.
          if (response.status === 200 && queryCallOf(req)?.service === "sts") {
            const issued = stsCredentialsOf(response.body);
            if (issued) keys.register(issued);
          }
          // moto says 404 for a missing secret; Secrets Manager says 400.
          if (
            isApiCall &&
            response.status === 404 &&
            Buffer.isBuffer(response.body) &&
            response.body.includes("ResourceNotFoundException")
          ) {
            const missingStage = await missingStageOf(client, req);
            return missingStage === undefined
              ? { ...response, status: 400 }
              : awsError(
                  "ResourceNotFoundException",
                  `Secrets Manager can't find the specified secret value for staging label: ${missingStage}`,
                );
          }
          return response;
        },
        control: {
          "issue-credentials": () => keys.issue(),
          "create-iam-user": (body) => {
            const input = body as { userName?: unknown; mfa?: unknown };
            if (typeof input.userName !== "string") throw new Error("give a userName");
            return createIamUser(input.userName, { mfa: input.mfa === true });
          },
          seed: async (body) => {
            const input = body as { secrets?: Array<AwsSeedSecret & { binaryBase64?: string }> };
            const secrets = (input.secrets ?? []).map(({ binaryBase64, ...rest }) =>
              binaryBase64 === undefined
                ? rest
                : { ...rest, binary: Buffer.from(binaryBase64, "base64") },
            );
            return { arns: await seed(secrets) };
          },
        },
      },
      options.port === undefined ? {} : { port: options.port },
    );
  } catch (error) {
    await moto.stop();
    throw error;
  }

  return {
    ...running,
    region,
    moto,
    seed,
    putSecretValue: (secretId, payload) => client.putValue(secretId, payload),
    issueCredentials: () => keys.issue(),
    createIamUser,
    reset: async () => {
      running.reset();
      await pendingReset;
    },
    stop: async () => {
      await running.stop();
      await moto.stop();
    },
  };
}
