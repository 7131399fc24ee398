import type { SecretValueEntry } from "@aws-sdk/client-secrets-manager";
import {
  chunk,
  type FetchRequest,
  type FetchResult,
  failure,
  failureFrom,
  type Logger,
  mapWithConcurrency,
} from "@vaultlink/core/plugin";
import type { SecretsManagerClients } from "./client.js";
import { type ErrorContext, type MappedError, mapAwsError } from "./errors.js";
import { asAwsReference } from "./reference.js";
import type { StaticKeys } from "./session.js";
import { parseVersion, VERSION_HINT, type VersionSelector } from "./version.js";

/** BatchGetSecretValue takes at most 20 ids per call. */
export const BATCH_SIZE = 20;

const GET = "secretsmanager:GetSecretValue";
const BATCH_GET = "secretsmanager:BatchGetSecretValue";

export interface FetchContext {
  integrationId: string;
  clients: SecretsManagerClients;
  keys: StaticKeys;
  /** Region for references that carry none (names). */
  region: string | undefined;
  endpoint: string | undefined;
  concurrency: number;
  logger: Logger;
  /** Shared by the instance's fetches: once BatchGetSecretValue is denied, stop trying it. */
  batch: { denied: boolean };
  /** Core's deadline: aborts the SDK's requests. */
  signal?: AbortSignal | undefined;
}

/** Requests that read the same secret the same way share one call. */
interface Job {
  region: string;
  secretId: string;
  version?: { requested: string; selector: VersionSelector };
  requests: FetchRequest[];
}

type Work = { kind: "single"; job: Job } | { kind: "batch"; region: string; jobs: Job[] };

/**
 * Fetch every request: unversioned reads of two or more secrets in one region go through
 * BatchGetSecretValue (20 per call, calls in parallel up to the concurrency cap); versioned
 * reads, lone reads, and reads after the batch call was denied use GetSecretValue.
 */
export async function fetchSecrets(
  requests: readonly FetchRequest[],
  ctx: FetchContext,
): Promise<FetchResult[]> {
  const results: FetchResult[] = [];
  const jobs = new Map<string, Job>();
  for (const request of requests) {
    const planned = plan(request, ctx);
    if ("ok" in planned) {
      results.push(planned);
      continue;
    }
    const key = JSON.stringify([planned.region, planned.secretId, planned.version?.requested]);
    const existing = jobs.get(key);
    if (existing) existing.requests.push(request);
    else jobs.set(key, planned);
  }

  const work: Work[] = [];
  const unversioned = new Map<string, Job[]>();
  for (const job of jobs.values()) {
    if (job.version) work.push({ kind: "single", job });
    else unversioned.set(job.region, [...(unversioned.get(job.region) ?? []), job]);
  }
  for (const [region, regionJobs] of unversioned) {
    if (regionJobs.length < 2 || ctx.batch.denied) {
      for (const job of regionJobs) work.push({ kind: "single", job });
    } else {
      for (const part of chunk(regionJobs, BATCH_SIZE))
        work.push({ kind: "batch", region, jobs: part });
    }
  }

  // Jobs of batches that were denied are read one by one afterwards, under the same cap.
  const fallback: Job[] = [];
  const run = async (item: Work): Promise<FetchResult[]> => {
    if (item.kind === "single") return getOne(item.job, ctx);
    const outcome = await getBatch(item.region, item.jobs, ctx);
    if (outcome === "denied") {
      fallback.push(...item.jobs);
      return [];
    }
    return outcome;
  };
  for (const batch of await mapWithConcurrency(work, ctx.concurrency, run)) results.push(...batch);
  const retried = await mapWithConcurrency(fallback, ctx.concurrency, (job) => getOne(job, ctx));
  for (const batch of retried) results.push(...batch);
  return results;
}

function plan(request: FetchRequest, ctx: FetchContext): Job | FetchResult {
  let reference: ReturnType<typeof asAwsReference>;
  try {
    reference = asAwsReference(request.reference);
  } catch (error) {
    return failure(request.id, "INVALID_REFERENCE", (error as Error).message);
  }
  // An ARN names its region; it wins over the integration's.
  const region = reference.region ?? ctx.region;
  if (!region) {
    return failure(
      request.id,
      "PROVIDER_ERROR",
      `No AWS region to look up secret "${reference.secretId}" in.`,
      { hint: "Set the integration's region setting, or link the secret by its ARN." },
    );
  }
  const job: Job = { region, secretId: reference.secretId, requests: [request] };
  if (request.version === undefined) return job;
  const selector = parseVersion(request.version);
  if (!selector) {
    return failure(
      request.id,
      "INVALID_REFERENCE",
      `"${request.version}" is not a Secrets Manager version for ${reference.secretId}.`,
      { hint: VERSION_HINT },
    );
  }
  return { ...job, version: { requested: request.version, selector } };
}

async function getOne(job: Job, ctx: FetchContext): Promise<FetchResult[]> {
  const subject = describe(job);
  try {
    const { client, sdk } = await ctx.clients.get(job.region, ctx.endpoint, ctx.keys);
    const output = await client.send(
      new sdk.GetSecretValueCommand({ SecretId: job.secretId, ...job.version?.selector }),
      ctx.signal ? { abortSignal: ctx.signal } : {},
    );
    return answer(job, output);
  } catch (error) {
    return fail(
      job,
      mapAwsError(error, { ...errorContext(ctx, GET, subject), secretId: job.secretId }),
    );
  }
}

async function getBatch(
  region: string,
  jobs: Job[],
  ctx: FetchContext,
): Promise<FetchResult[] | "denied"> {
  let output: { SecretValues?: SecretValueEntry[]; Errors?: BatchError[] };
  try {
    const { client, sdk } = await ctx.clients.get(region, ctx.endpoint, ctx.keys);
    output = await client.send(
      new sdk.BatchGetSecretValueCommand({ SecretIdList: jobs.map((j) => j.secretId) }),
      ctx.signal ? { abortSignal: ctx.signal } : {},
    );
  } catch (error) {
    const mapped = mapAwsError(
      error,
      errorContext(ctx, BATCH_GET, `${jobs.length} secrets in ${region}`),
    );
    // A denied batch is read one by one, so each secret gets its own answer (a VPC endpoint
    // policy that denies one secret fails the whole batch). Only when the batch action itself
    // is missing does the instance stop trying it.
    if (mapped.code === "PERMISSION_DENIED" && mapped.details?.missingAction !== "kms:Decrypt") {
      if (mapped.details?.missingAction === BATCH_GET && !ctx.batch.denied) {
        ctx.batch.denied = true;
        ctx.logger.info(
          "BatchGetSecretValue was denied; reading secrets one by one with GetSecretValue. " +
            "Allow secretsmanager:BatchGetSecretValue for fewer calls.",
          { integration: ctx.integrationId },
        );
      }
      return "denied";
    }
    return jobs.flatMap((job) =>
      fail(job, { ...mapped, message: `${mapped.message} (${describe(job)})` }),
    );
  }

  const byArn = new Map<string, SecretValueEntry>();
  const byName = new Map<string, SecretValueEntry>();
  for (const entry of output.SecretValues ?? []) {
    if (entry.ARN) byArn.set(entry.ARN, entry);
    if (entry.Name) byName.set(entry.Name, entry);
  }
  const errors = new Map((output.Errors ?? []).map((e) => [e.SecretId, e]));
  return jobs.flatMap((job) => {
    const entry = job.secretId.startsWith("arn:")
      ? byArn.get(job.secretId)
      : byName.get(job.secretId);
    if (entry) return answer(job, entry);
    const error = errors.get(job.secretId);
    const context = errorContext(ctx, GET, describe(job));
    if (error) {
      const synthetic = Object.assign(new Error(error.Message ?? ""), {
        name: error.ErrorCode ?? "",
      });
      return fail(job, mapAwsError(synthetic, context));
    }
    return fail(job, {
      code: "PROVIDER_ERROR",
      message: `BatchGetSecretValue returned nothing for ${describe(job)}.`,
    });
  });
}

interface BatchError {
  SecretId?: string;
  ErrorCode?: string;
  Message?: string;
}

function answer(job: Job, entry: SecretValueEntry): FetchResult[] {
  const value = entry.SecretString ?? entry.SecretBinary;
  if (value === undefined) {
    return fail(job, {
      code: "PROVIDER_ERROR",
      message: `Secrets Manager returned no SecretString or SecretBinary for ${describe(job)}.`,
    });
  }
  // A version asked for is reported as asked (a stage stays a stage); otherwise the VersionId.
  const version = job.version?.requested ?? entry.VersionId;
  return job.requests.map((request) => ({
    id: request.id,
    ok: true as const,
    value,
    ...(version ? { version } : {}),
  }));
}

function fail(job: Job, error: MappedError): FetchResult[] {
  return job.requests.map((request) => failureFrom(request.id, error));
}

function describe(job: Job): string {
  return job.version ? `${job.secretId} (version ${job.version.requested})` : job.secretId;
}

function errorContext(ctx: FetchContext, action: string, subject: string): ErrorContext {
  return { integrationId: ctx.integrationId, action, subject };
}
