import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createVault,
  type NewSecret,
  roleAccessPolicy,
  type TeamRole,
  type Vault,
} from "../../src/index.js";
import {
  defineProvider,
  type FetchRequest,
  type ProviderDefinition,
  providerError,
  type TeamAuthority,
  type TeamSetup,
} from "../../src/plugin/index.js";

/**
 * The provider-side store of a fake team integration: the published setup and which tokens
 * its access control lets write it (the fake's "policies"). Shared by every vault in a test.
 */
export interface FakeTeamStore {
  setup: TeamSetup | undefined;
  admins: Set<string>;
  reads: number;
  /** When set, reading the setup fails with this code (offline, say). */
  failWith?: "UNREACHABLE" | undefined;
  /** When true, reading the setup never settles (a provider that hangs). */
  hangs?: boolean;
}

export function fakeTeamStore(admins: string[]): FakeTeamStore {
  return { setup: undefined, admins: new Set(admins), reads: 0 };
}

/**
 * A small provider for core's own tests (core cannot depend on @vaultlink/testkit, which
 * depends on core). Values live in a Map; every call is counted.
 */
export interface FakeProvider {
  provider: ProviderDefinition;
  values: Map<string, string>;
  calls: { fetch: number; requests: FetchRequest[][]; authenticate: number; refresh: number };
  /** When set, every fetch fails with this code. */
  failWith:
    | {
        code:
          | "AUTH_EXPIRED"
          | "UNREACHABLE"
          | "PERMISSION_DENIED"
          | "THROTTLED"
          | "NOT_FOUND"
          | "PROVIDER_ERROR";
        details?: Record<string, unknown>;
      }
    | undefined;
  /** Delay each fetch by this many ms. */
  latencyMs: number;
  /**
   * How `endSession` behaves: absent (undefined), ends it ("ok", token recorded in `ended`),
   * throws a message echoing the token ("fails"), or never settles ("hangs").
   */
  endSession: "ok" | "fails" | "hangs" | undefined;
  /**
   * How `refreshSession` behaves: absent (undefined), renews ("ok": counted in
   * `calls.refresh`, next time `refreshNextAt`), or fails with this code.
   */
  refresh: "ok" | "AUTH_EXPIRED" | "UNREACHABLE" | undefined;
  refreshNextAt: number | undefined;
  /** Tokens whose sessions were ended. */
  ended: string[];
}

export function fakeProvider(
  options: {
    id?: string;
    scope?: "personal" | "team";
    ttlMs?: number;
    now?: () => number;
    team?: FakeTeamStore;
  } = {},
): FakeProvider {
  const state: FakeProvider = {
    provider: undefined as unknown as ProviderDefinition,
    values: new Map(),
    calls: { fetch: 0, requests: [], authenticate: 0, refresh: 0 },
    failWith: undefined,
    latencyMs: 0,
    endSession: undefined,
    ended: [],
    refresh: undefined,
    refreshNextAt: undefined,
  };
  const id = options.id ?? "fake";
  state.provider = defineProvider({
    apiVersion: 1,
    meta: { name: "@test/fake-provider", version: "1.0.0" },
    id,
    title: "Fake",
    scope: options.scope ?? "personal",
    authMethods: [
      {
        id: "token",
        title: "Token",
        options: [
          { name: "token", title: "Token", type: "string", secret: true, required: true },
          { name: "region", title: "Region", type: "string" },
        ],
      },
      {
        id: "password",
        title: "Password",
        options: [
          { name: "token", title: "Password", type: "string", secret: true, required: true },
        ],
      },
    ],
    settings: [
      { name: "address", title: "Address", type: "string" },
      { name: "timeout", title: "Timeout", type: "number", default: 30 },
    ],
    capabilities: { batch: true, versions: true },
    referenceExamples: ["fake://name"],
    parseReference(input) {
      const m = /^fake:\/\/([a-z0-9/_.-]+)$/i.exec(input.trim());
      if (!m)
        throw providerError(id, "INVALID_REFERENCE", `"${input}" is not a fake:// reference.`);
      return { canonical: `fake://${m[1]}` };
    },
    create(ctx) {
      const store = options.team;
      const token = () => String(ctx.session?.credentials.token ?? "");
      const guard = (what: string) => {
        if (!store?.admins.has(token()))
          throw providerError(id, "PERMISSION_DENIED", `The fake policy denies ${what}.`);
      };
      const team: TeamAuthority | undefined = store
        ? {
            location: "the fake team store",
            async read() {
              store.reads++;
              if (store.hangs) return new Promise<never>(() => {});
              if (store.failWith) throw providerError(id, store.failWith, "offline");
              return store.setup
                ? { authMethod: store.setup.authMethod, settings: { ...store.setup.settings } }
                : undefined;
            },
            async publish(setup) {
              guard("publishing the team setup");
              store.setup = { authMethod: setup.authMethod, settings: { ...setup.settings } };
            },
            async remove() {
              guard("removing the team setup");
              store.setup = undefined;
            },
            async role() {
              return store.admins.has(token()) ? "admin" : "member";
            },
          }
        : undefined;
      const endSession = async () => {
        if (state.endSession === "hangs") return new Promise<boolean>(() => {});
        if (state.endSession === "fails")
          throw new Error(`revoking ${token()} failed: the service answered 500`);
        state.ended.push(token());
        return true;
      };
      return {
        ...(team ? { team } : {}),
        ...(state.endSession ? { endSession } : {}),
        ...(state.refresh
          ? {
              async refreshSession() {
                state.calls.refresh++;
                const outcome = state.refresh ?? "ok";
                if (outcome !== "ok")
                  throw providerError(id, outcome, `renewing ${token()} failed`);
                return { nextAt: state.refreshNextAt };
              },
            }
          : {}),
        async authenticate(input) {
          state.calls.authenticate++;
          if (input.secrets.token === "bad")
            throw providerError(id, "AUTH_FAILED", "The token was rejected.");
          // A sign-in that needs a one-time code: asked of the person when someone can answer.
          if (input.secrets.token === "needs-code") {
            const code = await input.ask?.({ name: "code", message: "Code", secret: true });
            if (!code) throw providerError(id, "AUTH_FAILED", "A code is needed: give --code.");
            if (code !== "246810")
              throw providerError(id, "AUTH_FAILED", `The code ${code} was refused.`);
          }
          const now = options.now?.() ?? Date.now();
          return {
            credentials: { token: input.secrets.token },
            ...(options.ttlMs ? { expiresAt: new Date(now + options.ttlMs) } : {}),
          };
        },
        async fetch(requests) {
          state.calls.fetch++;
          state.calls.requests.push([...requests]);
          if (state.latencyMs) await new Promise((r) => setTimeout(r, state.latencyMs));
          return requests.map((r) => {
            if (state.failWith)
              return {
                id: r.id,
                ok: false as const,
                code: state.failWith.code,
                message: `failed: ${state.failWith.code}`,
                ...(state.failWith.details ? { details: state.failWith.details } : {}),
              };
            const key = r.version ? `${r.reference.canonical}@${r.version}` : r.reference.canonical;
            const value = state.values.get(key);
            return value === undefined
              ? {
                  id: r.id,
                  ok: false as const,
                  code: "NOT_FOUND" as const,
                  message: `${r.reference.canonical} not found`,
                }
              : {
                  id: r.id,
                  ok: true as const,
                  value,
                  ...(r.reference.canonical.startsWith("fake://otp") ? { cacheTtlMs: 0 } : {}),
                };
          });
        },
        dispose() {},
      };
    },
  });
  return state;
}

export class TestClock {
  constructor(public time = Date.parse("2026-11-26T12:00:00Z")) {}
  now = () => this.time;
  advance(ms: number) {
    this.time += ms;
  }
}

export interface TestVault {
  vault: Vault;
  home: string;
  vaultKey: string;
  cleanup(): Promise<void>;
}

export async function makeVault(
  options: {
    providers?: ProviderDefinition[];
    clock?: TestClock;
    role?: TeamRole;
    home?: string;
  } = {},
): Promise<TestVault> {
  const home = options.home ?? mkdtempSync(join(tmpdir(), "vaultlink-core-"));
  const vault = createVault({
    home,
    providers: options.providers ?? [],
    keySources: [],
    ...(options.clock ? { clock: options.clock } : {}),
    // Without a role, the default: the provider decides (personal integrations: the owner).
    ...(options.role
      ? {
          accessPolicy: roleAccessPolicy(() => ({ user: "tester", role: options.role ?? "admin" })),
        }
      : {}),
    freshnessMs: 0,
  });
  const { vaultKey } = await vault.create();
  return {
    vault,
    home,
    vaultKey,
    async cleanup() {
      await vault.dispose();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** A vault with a fake provider loaded and connected with `token`, holding `values`. */
export async function connectedVault(
  options: { values?: Record<string, string>; token?: string; clock?: TestClock } = {},
): Promise<TestVault & { fake: FakeProvider }> {
  const fake = fakeProvider(options.clock ? { now: options.clock.now } : {});
  for (const [reference, value] of Object.entries(options.values ?? {})) {
    fake.values.set(reference, value);
  }
  const t = await makeVault({
    providers: [fake.provider],
    ...(options.clock ? { clock: options.clock } : {}),
  });
  await t.vault.integrations.connect({
    provider: "fake",
    options: { token: options.token ?? "t" },
  });
  return { ...t, fake };
}

/** Add local secrets, in order. */
export async function addSecrets(vault: Vault, secrets: Record<string, NewSecret>): Promise<void> {
  for (const [name, input] of Object.entries(secrets)) await vault.secrets.add(name, input);
}

/** Another vault instance on an existing vault's files, unlocked, acting as `user` with `role`. */
export async function openAs(
  existing: TestVault,
  options: { providers?: ProviderDefinition[]; user?: string; role?: TeamRole; clock?: TestClock },
): Promise<Vault> {
  const vault = createVault({
    home: existing.home,
    providers: options.providers ?? [],
    keySources: [],
    ...(options.clock ? { clock: { now: options.clock.now } } : {}),
    accessPolicy: roleAccessPolicy(() => ({
      user: options.user ?? "tester",
      role: options.role ?? "admin",
    })),
  });
  await vault.unlock(existing.vaultKey);
  return vault;
}
