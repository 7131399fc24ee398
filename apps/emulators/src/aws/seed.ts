import { AWS_JSON } from "./errors.js";

/** One secret to create; give exactly one of value, binary or json. */
export interface AwsSeedSecret {
  name: string;
  value?: string;
  binary?: Uint8Array;
  json?: object;
  description?: string;
  tags?: Record<string, string>;
}

export type AwsSecretPayload = Pick<AwsSeedSecret, "value" | "binary" | "json"> & {
  /**
   * Stage labels for the new version (PutSecretValue's VersionStages). Default: AWSCURRENT, and
   * the old current version becomes AWSPREVIOUS. Given labels move to the new version alone.
   */
  stages?: string[];
  /** The new version's VersionId (PutSecretValue's ClientRequestToken, 32-64 characters). */
  versionId?: string;
};

export class AwsCallError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = type;
  }
}

/**
 * Calls Secrets Manager operations on moto directly (not through the fault layer, so seeding is
 * neither counted nor faulted). moto does not check signatures; it only needs the service name in
 * the credential scope of the Authorization header to route the call.
 */
export class MotoSecretsClient {
  constructor(
    readonly motoUrl: string,
    readonly region: string,
  ) {}

  async call<T>(operation: string, input: object): Promise<T> {
    const res = await fetch(`${this.motoUrl}/`, {
      method: "POST",
      headers: {
        "content-type": AWS_JSON,
        "x-amz-target": `secretsmanager.${operation}`,
        authorization:
          `AWS4-HMAC-SHA256 Credential=AKIDEMULATORSEED/20260101/${this.region}/secretsmanager/aws4_request, ` +
          "SignedHeaders=content-type;host;x-amz-target, Signature=0",
      },
      body: JSON.stringify(input),
    });
    const text = await res.text();
    const parsed = text.length > 0 ? (JSON.parse(text) as Record<string, unknown>) : {};
    if (!res.ok) {
      const type =
        String(parsed.__type ?? `Http${res.status}`)
          .split("#")
          .pop() ?? "Error";
      throw new AwsCallError(type, String(parsed.message ?? parsed.Message ?? type), res.status);
    }
    return parsed as T;
  }

  /** Create the secret, or add a new AWSCURRENT version (the old one becomes AWSPREVIOUS). */
  async upsert(secret: AwsSeedSecret): Promise<{ arn: string; versionId: string }> {
    const payload = payloadOf(secret);
    try {
      const created = await this.call<{ ARN: string; VersionId: string }>("CreateSecret", {
        Name: secret.name,
        ...payload,
        ...(secret.description ? { Description: secret.description } : {}),
        ...(secret.tags
          ? { Tags: Object.entries(secret.tags).map(([Key, Value]) => ({ Key, Value })) }
          : {}),
      });
      return { arn: created.ARN, versionId: created.VersionId };
    } catch (error) {
      if (!(error instanceof AwsCallError) || error.type !== "ResourceExistsException") throw error;
      return this.putValue(secret.name, secret);
    }
  }

  async putValue(
    secretId: string,
    secret: AwsSecretPayload,
  ): Promise<{ arn: string; versionId: string }> {
    const put = await this.call<{ ARN: string; VersionId: string }>("PutSecretValue", {
      SecretId: secretId,
      ...payloadOf(secret),
      ...(secret.stages ? { VersionStages: secret.stages } : {}),
      ...(secret.versionId ? { ClientRequestToken: secret.versionId } : {}),
    });
    return { arn: put.ARN, versionId: put.VersionId };
  }
}

function payloadOf(secret: AwsSecretPayload): Record<string, string> {
  // (stages and versionId are PutSecretValue's own fields, added by putValue.)
  const given = [secret.value, secret.binary, secret.json].filter((v) => v !== undefined);
  if (given.length !== 1) throw new Error("give exactly one of value, binary or json");
  if (secret.binary !== undefined) {
    return { SecretBinary: Buffer.from(secret.binary).toString("base64") };
  }
  if (secret.json !== undefined) return { SecretString: JSON.stringify(secret.json) };
  return { SecretString: secret.value as string };
}
