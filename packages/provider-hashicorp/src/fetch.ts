import {
  type FetchRequest,
  type FetchResult,
  failure,
  failureFrom,
  mapWithConcurrency,
  type ProviderErrorCode,
} from "@vaultlink/core/plugin";
import { encodePath } from "./client.js";
import { describeFailure, statusOf, type VaultFailure } from "./errors.js";
import type { Engine, MountTable } from "./mounts.js";
import { readClassified, type VaultReader } from "./read.js";
import { parseKvVersion, parseReference, type VaultReference } from "./reference.js";

export interface ReadDeps extends VaultReader {
  mounts: MountTable;
  /** Paths read at the same time. */
  concurrency: number;
}

interface Wanted {
  request: FetchRequest;
  ref: VaultReference;
  version?: string;
}

/** One read: every key linked from one (engine, path, version). */
interface Group {
  mount: string;
  path: string;
  version?: string;
  members: Wanted[];
}

const fail = (w: Wanted, f: VaultFailure): FetchResult => failureFrom(w.request.id, f);

/** The string core receives: strings as they are, anything else JSON-encoded. */
function asValue(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * Fetch every request with one read per (engine, path, version), at most `concurrency` paths
 * in flight. Returns exactly one result per request.
 */
export async function fetchReferences(
  requests: readonly FetchRequest[],
  deps: ReadDeps,
): Promise<FetchResult[]> {
  const results: FetchResult[] = [];
  const groups = new Map<string, Group>();
  for (const request of requests) {
    let ref: VaultReference;
    try {
      // The stored reference is re-read from its canonical form: links saved by older
      // releases get today's validation.
      ref = parseReference(request.reference.canonical);
    } catch (error) {
      results.push(failure(request.id, "INVALID_REFERENCE", (error as Error).message));
      continue;
    }
    let version: string | undefined;
    try {
      const asked = request.version ?? ref.version;
      version = asked === undefined ? undefined : parseKvVersion(asked);
    } catch (error) {
      results.push(failure(request.id, "INVALID_REFERENCE", (error as Error).message));
      continue;
    }
    const key = JSON.stringify([ref.mount, ref.path, version ?? null]);
    let group = groups.get(key);
    if (!group) {
      group = { mount: ref.mount, path: ref.path, ...(version ? { version } : {}), members: [] };
      groups.set(key, group);
    }
    group.members.push({ request, ref, ...(version ? { version } : {}) });
  }

  const engines = new Map<string, Engine | VaultFailure>();
  for (const mount of new Set([...groups.values()].map((g) => g.mount))) {
    engines.set(mount, await deps.mounts.engine(mount));
  }

  const perGroup = await mapWithConcurrency(
    [...groups.values()],
    deps.concurrency,
    async (group) => {
      const engine = engines.get(group.mount) as Engine | VaultFailure;
      if (!("version" in engine)) return group.members.map((w) => fail(w, engine));
      if (engine.version === 1 && group.version !== undefined) {
        return group.members.map((w) =>
          fail(w, {
            code: "INVALID_REFERENCE",
            message: `"${group.mount}/" is a KV v1 engine, which keeps no versions; ${w.ref.canonical} asks for version ${group.version}.`,
            hint: "Drop ?version=N (or --version) from the link.",
          }),
        );
      }
      return readGroup(group, engine, deps);
    },
  );
  for (const list of perGroup) results.push(...list);
  return results;
}

function apiPathOf(group: Group, engine: Engine): string {
  const mount = encodePath(group.mount);
  const path = encodePath(group.path);
  if (engine.version === 1) return `${mount}/${path}`;
  return `${mount}/data/${path}${group.version ? `?version=${group.version}` : ""}`;
}

async function readGroup(group: Group, engine: Engine, deps: ReadDeps): Promise<FetchResult[]> {
  const apiPath = apiPathOf(group, engine);
  const policyPath = apiPath.replace(/\?.*$/, "");
  const label = `${group.mount}/${group.path}${group.version ? ` version ${group.version}` : ""}`;
  const outcome = await readClassified(deps, apiPath);
  const failAllWith = (f: VaultFailure) => group.members.map((w) => fail(w, f));
  if ("denied" in outcome) return failAllWith(denied(label, policyPath));
  if ("failure" in outcome) return failAllWith(outcome.failure);
  if ("error" in outcome) {
    const { error } = outcome;
    return failAllWith(
      statusOf(error) === 404
        ? notFound(error, group, engine, label)
        : describeFailure(error, `reading ${label}`, deps.address),
    );
  }
  const { response } = outcome;
  const data = (
    engine.version === 2 ? (response.data as { data?: unknown } | null)?.data : response.data
  ) as Record<string, unknown> | null | undefined;
  const version =
    engine.version === 2
      ? (response.data as { metadata?: { version?: unknown } } | null)?.metadata?.version
      : undefined;
  if (!data || typeof data !== "object") {
    return group.members.map((w) =>
      fail(w, {
        code: "NOT_FOUND",
        message: `${label} has no data.`,
        details: { path: policyPath },
      }),
    );
  }
  return group.members.map((w): FetchResult => {
    if (!Object.hasOwn(data, w.ref.key)) {
      const keys = Object.keys(data);
      return fail(w, {
        code: "NOT_FOUND",
        message: `The secret ${label} has no key "${w.ref.key}".`,
        hint:
          keys.length > 0
            ? `Its keys: ${keys.slice(0, 20).join(", ")}${keys.length > 20 ? ", …" : ""}.`
            : "The secret has no keys.",
        details: { path: policyPath, key: w.ref.key },
      });
    }
    return {
      id: w.request.id,
      ok: true,
      value: asValue(data[w.ref.key]),
      ...(typeof version === "number" ? { version: String(version) } : {}),
    };
  });
}

function denied(label: string, policyPath: string): VaultFailure {
  return {
    code: "PERMISSION_DENIED",
    message: `Permission denied reading ${label}: your Vault policy needs the "read" capability on "${policyPath}".`,
    hint: `Ask a Vault admin to grant: path "${policyPath}" { capabilities = ["read"] }.`,
    details: { path: policyPath, capability: "read" },
  };
}

function notFound(error: unknown, group: Group, engine: Engine, label: string): VaultFailure {
  const metadata = (
    error as { response?: { body?: { data?: { metadata?: Record<string, unknown> } } } }
  ).response?.body?.data?.metadata;
  const code: ProviderErrorCode = "NOT_FOUND";
  if (metadata?.destroyed === true) {
    return {
      code,
      message: `${label} was destroyed.`,
      hint: "Link another version.",
      details: { mount: group.mount },
    };
  }
  if (typeof metadata?.deletion_time === "string" && metadata.deletion_time !== "") {
    return {
      code,
      message: `${label} was deleted at ${metadata.deletion_time}.`,
      hint: "Undelete it in Vault (vault kv undelete) or link another version.",
      details: { mount: group.mount },
    };
  }
  const hints: string[] = [];
  if (engine.version === 2 && group.path.startsWith("data/")) {
    hints.push(`Leave out "data/": write ${group.mount}/${group.path.slice(5)}#<key>.`);
  }
  if (engine.source === "assumed") {
    hints.push(
      `The engine was assumed to be KV v2; if "${group.mount}/" is KV v1, set the kvVersion setting to 1.`,
    );
  }
  return {
    code,
    message: `No secret at ${label} (KV v${engine.version} engine "${group.mount}/").`,
    ...(hints.length > 0
      ? { hint: hints.join(" ") }
      : { hint: "Check the path and the integration's namespace." }),
    details: { mount: group.mount, path: group.path },
  };
}
