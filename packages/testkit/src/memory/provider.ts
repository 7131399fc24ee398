import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import {
  type AuthenticateInput,
  defineProvider,
  type FetchRequest,
  type FetchResult,
  failure,
  type ProviderContext,
  type ProviderDefinition,
  type ProviderErrorCode,
  type ProviderInstance,
  type ProviderSession,
  providerError,
} from "@vaultlink/core/plugin";
import {
  MEMORY_REFERENCE_EXAMPLES,
  type MemoryReference,
  parseMemoryReference,
} from "./references.js";
import { createMemoryStore, type MemoryStore } from "./store.js";

export interface MemoryProviderOptions {
  /** Provider id; "memory" unless a test needs two of them side by side. */
  id?: string;
  /** Sign-in tokens the "token" method accepts. Default: ["memory-token"]. */
  tokens?: readonly string[];
  /** How long a session lasts, by the instance's `ctx.clock`; null for never. Default: 1 hour. */
  sessionTtlMs?: number | null;
  /** Secrets present from the start (and again after `reset()`). */
  secrets?: Record<string, string>;
  /** Delay added to every authenticate and fetch call. */
  latencyMs?: number;
}

/** Switches that make the next calls fail the way real services do. */
export interface MemoryFaults {
  /** Delay (real milliseconds) added to every authenticate and fetch call. Settable. */
  latencyMs: number;
  /** Make the next `times` fetch calls fail as a whole with `code` (thrown VaultlinkError). */
  failNext(code: ProviderErrorCode, times?: number): void;
  /** Make every fetch call fail with `code` until `clear()`. */
  failAlways(code: ProviderErrorCode): void;
  /** Invalidate every session issued so far: fetches fail AUTH_EXPIRED until re-authenticate. */
  expireCredentials(): void;
  /** Stop failing and remove latency. Sessions expired earlier stay expired. */
  clear(): void;
}

/** Live counters; they reset to 0 with `reset()`. */
export interface MemoryCalls {
  fetch: number;
  authenticate: number;
  /** Total requests across all fetch calls. */
  requests: number;
}

export interface MemoryProvider {
  provider: ProviderDefinition;
  store: MemoryStore;
  faults: MemoryFaults;
  calls: MemoryCalls;
  /**
   * Back to the starting contents (`options.secrets`), no faults, counters at 0. Sessions
   * issued before stay valid, so a connected integration stays connected.
   */
  reset(): void;
}

export const MEMORY_AUTH_METHOD = "token";
const DEFAULT_TOKENS = ["memory-token"] as const;
const DEFAULT_SESSION_TTL_MS = 60 * 60 * 1000;
// Same relative path from src/memory and dist/memory.
const packageJson = createRequire(import.meta.url)("../../package.json") as {
  name: string;
  version: string;
};

interface IssuedSession {
  expiresAt: number | undefined;
  revoked: boolean;
}

/**
 * A provider that keeps secrets in a Map: no SDK, no network, deterministic. It behaves like
 * a real one where it matters to hosts (sessions that expire, versions, per-reference
 * NOT_FOUND, whole-call faults), so core and CLI tests can run against it quickly.
 */
export function createMemoryProvider(options: MemoryProviderOptions = {}): MemoryProvider {
  const id = options.id ?? "memory";
  const accepted = new Set(options.tokens ?? DEFAULT_TOKENS);
  const ttl = options.sessionTtlMs === undefined ? DEFAULT_SESSION_TTL_MS : options.sessionTtlMs;
  const store = createMemoryStore();
  const sessions = new Map<string, IssuedSession>();
  const calls: MemoryCalls = { fetch: 0, authenticate: 0, requests: 0 };
  let pending: { code: ProviderErrorCode; times: number } | undefined;
  let always: ProviderErrorCode | undefined;

  const seed = () => {
    store.clear();
    for (const [name, value] of Object.entries(options.secrets ?? {})) store.set(name, value);
  };
  seed();

  const faults: MemoryFaults = {
    latencyMs: options.latencyMs ?? 0,
    failNext(code, times = 1) {
      pending = times > 0 ? { code, times } : undefined;
    },
    failAlways(code) {
      always = code;
    },
    expireCredentials() {
      for (const session of sessions.values()) session.revoked = true;
    },
    clear() {
      pending = undefined;
      always = undefined;
      faults.latencyMs = 0;
    },
  };

  const takeFault = (): ProviderErrorCode | undefined => {
    if (always) return always;
    if (!pending) return undefined;
    const { code } = pending;
    pending.times -= 1;
    if (pending.times <= 0) pending = undefined;
    return code;
  };

  const delay = async () => {
    if (faults.latencyMs > 0) await new Promise((r) => setTimeout(r, faults.latencyMs));
  };

  const create = (ctx: ProviderContext): ProviderInstance => {
    let own: ProviderSession | undefined;
    let disposed = false;

    const requireSession = () => {
      const token = (own ?? ctx.session)?.credentials.token;
      if (typeof token !== "string") {
        throw providerError(id, "AUTH_EXPIRED", "The memory provider is not signed in.", {
          hint: "Authenticate the integration first.",
        });
      }
      const issued = sessions.get(token);
      const expired =
        !issued ||
        issued.revoked ||
        (issued.expiresAt !== undefined && ctx.clock.now() >= issued.expiresAt);
      if (expired) {
        throw providerError(id, "AUTH_EXPIRED", "The memory provider session has expired.", {
          hint: "Reauthenticate the integration.",
        });
      }
    };

    const fetchOne = (request: FetchRequest): FetchResult => {
      const reference = request.reference as MemoryReference;
      const version = request.version ?? reference.version;
      const found = store.lookup(reference.name, version);
      if (found) return { id: request.id, ok: true, value: found.value, version: found.version };
      const missingVersion = version !== undefined && store.has(reference.name);
      return failure(
        request.id,
        "NOT_FOUND",
        missingVersion
          ? `Version "${version}" of mem://${reference.name} does not exist.`
          : `mem://${reference.name} does not exist in the memory provider.`,
        { details: { name: reference.name, ...(version ? { version } : {}) } },
      );
    };

    return {
      async authenticate(input: AuthenticateInput): Promise<ProviderSession> {
        calls.authenticate += 1;
        await delay();
        if (input.method !== MEMORY_AUTH_METHOD) {
          throw providerError(id, "AUTH_FAILED", `Unknown auth method "${input.method}".`, {
            hint: `The memory provider signs in with "${MEMORY_AUTH_METHOD}".`,
          });
        }
        const token = input.secrets.token;
        if (typeof token !== "string" || token === "") {
          throw providerError(id, "AUTH_FAILED", "No token was given.", {
            hint: "Pass the token option.",
          });
        }
        if (!accepted.has(token)) {
          throw providerError(id, "AUTH_FAILED", "The memory provider rejected the token.", {
            hint: "Use one of the tokens the test configured.",
          });
        }
        const sessionToken = `mem-session-${randomUUID()}`;
        const expiresAt = ttl === null ? undefined : ctx.clock.now() + ttl;
        sessions.set(sessionToken, { expiresAt, revoked: false });
        own = {
          credentials: { token: sessionToken },
          identity: `${id}:token`,
          ...(expiresAt === undefined ? {} : { expiresAt: new Date(expiresAt) }),
        };
        return own;
      },

      async fetch(requests: readonly FetchRequest[]): Promise<FetchResult[]> {
        if (disposed) {
          throw providerError(id, "PROVIDER_ERROR", "This memory provider instance was disposed.");
        }
        calls.fetch += 1;
        calls.requests += requests.length;
        ctx.logger.debug("memory provider fetch", { requests: requests.length });
        await delay();
        const fault = takeFault();
        if (fault) throw providerError(id, fault, faultMessage(fault), { hint: faultHint(fault) });
        requireSession();
        return requests.map(fetchOne);
      },

      dispose() {
        disposed = true;
      },
    };
  };

  const provider = defineProvider({
    apiVersion: 1,
    meta: { name: packageJson.name, version: packageJson.version },
    id,
    title: "In-memory (tests)",
    authMethods: [
      {
        id: MEMORY_AUTH_METHOD,
        title: "Access token",
        options: [{ name: "token", title: "Token", type: "string", secret: true, required: true }],
      },
    ],
    capabilities: { batch: true, versions: true, jsonKey: true },
    referenceExamples: MEMORY_REFERENCE_EXAMPLES,
    parseReference: parseMemoryReference,
    create,
  });

  return {
    provider,
    store,
    faults,
    calls,
    reset() {
      seed();
      faults.clear();
      calls.fetch = 0;
      calls.authenticate = 0;
      calls.requests = 0;
    },
  };
}

function faultMessage(code: ProviderErrorCode): string {
  switch (code) {
    case "THROTTLED":
      return "The memory provider is throttling requests (simulated fault).";
    case "UNREACHABLE":
      return "The memory provider cannot be reached (simulated fault).";
    case "PERMISSION_DENIED":
      return "The memory provider denied access (simulated fault).";
    case "AUTH_EXPIRED":
      return "The memory provider session has expired (simulated fault).";
    default:
      return `The memory provider failed with ${code} (simulated fault).`;
  }
}

function faultHint(code: ProviderErrorCode): string | undefined {
  switch (code) {
    case "THROTTLED":
      return "Wait a moment and retry.";
    case "AUTH_EXPIRED":
      return "Reauthenticate the integration.";
    case "PERMISSION_DENIED":
      return "Grant the integration read access.";
    default:
      return undefined;
  }
}
