import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import type { FetchRequest, FetchResult, ProviderInstance } from "@vaultlink/core/plugin";
import {
  type HashicorpEmulator,
  startHashicorpEmulator,
  type VaultAppRoleSpec,
  type VaultOidcRoleSpec,
} from "@vaultlink/emulators";
import { createTestContext, FakeClock, type TestContext } from "@vaultlink/testkit";
import { afterEach, beforeEach } from "vitest";
import provider from "../src/index.js";

/** Values seeded by `seedVault`; distinctive so leak checks can find them. */
export const SEED = {
  dbPasswordV1: "pw-v1-ancient-7781",
  dbPassword: "pw-v2-current-4412",
  dbUser: "app-user-0193",
  legacyToken: "legacy-token-5521",
  teamPassword: "team-a-pw-9090",
  readerPassword: "reader-pass-3344",
} as const;

/** Policies, a reader user and KV data (v2 at secret/, v1 at kv/, and namespace team-a). */
export function seedVault(emu: HashicorpEmulator): void {
  emu.createPolicy("reader", {
    paths: { "secret/data/*": ["read"], "kv/*": ["read"], "sys/mounts": ["read"] },
  });
  emu.createPolicy("app-only", { paths: { "secret/data/app/*": ["read"], "kv/*": ["read"] } });
  emu.addUser({ username: "alice", password: SEED.readerPassword, policies: ["reader"] });
  emu.writeKv("secret", "app/db", { password: SEED.dbPasswordV1, username: SEED.dbUser });
  emu.writeKv("secret", "app/db", {
    password: SEED.dbPassword,
    username: SEED.dbUser,
    port: 5432,
    config: { host: "db.internal", pool: 5 },
  });
  emu.writeKv("secret", "other/api", { key: "other-api-key-6060" });
  emu.writeKv("kv", "legacy/api", { token: SEED.legacyToken });
  emu.writeKv("secret", "app/db", { password: SEED.teamPassword }, { namespace: "team-a" });
}

/** The OIDC role `seedOidc` registers and the identity-provider user who signs in. */
export const OIDC_MEMBERS = { role: "members", user: "member-alice" } as const;

/**
 * The team's OIDC role on the emulator's `oidc` mount: reader policy, 600 s tokens, the two
 * loopback redirect URIs `vault login -method=oidc` setups allow (any port matches, as in Vault).
 */
export function seedOidc(emu: HashicorpEmulator, role: Partial<VaultOidcRoleSpec> = {}): void {
  emu.addOidcRole({
    role: OIDC_MEMBERS.role,
    allowedRedirectUris: [
      "http://127.0.0.1:10545/oidc/callback",
      "http://127.0.0.1:10534/oidc/callback",
    ],
    policies: ["reader"],
    ttlSeconds: 600,
    users: [{ sub: OIDC_MEMBERS.user, claims: { email: "alice@example.com" } }],
    ...role,
  });
}

export interface JwtKey {
  /** For the mount's `jwt_validation_pubkeys`. */
  publicKeyPem: string;
  privateKey: KeyObject;
}

function rsaKey(): JwtKey {
  const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    publicKeyPem: pair.publicKey.export({ type: "spki", format: "pem" }).toString(),
    privateKey: pair.privateKey,
  };
}

/** The identity provider's signing key, and one the Vault mount does not know. */
export const JWT_KEY = rsaKey();
export const OTHER_JWT_KEY = rsaKey();

/** An RS256 JWT of these claims, signed with node:crypto. */
export function signedJwt(claims: Record<string, unknown>, key: JwtKey = JWT_KEY): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const input = `${part({ alg: "RS256", typ: "JWT" })}.${part(claims)}`;
  return `${input}.${sign("sha256", Buffer.from(input), key.privateKey).toString("base64url")}`;
}

export interface Rig {
  emu: HashicorpEmulator;
  clock: FakeClock;
  stop(): Promise<void>;
}

/** An emulator whose token clock is the same fake clock the provider context gets. */
export async function startRig(): Promise<Rig> {
  const clock = new FakeClock(Date.UTC(2025, 0, 1));
  const emu = await startHashicorpEmulator({ now: () => clock.now() });
  seedVault(emu);
  return { emu, clock, stop: () => emu.stop() };
}

/**
 * A fresh rig for every test of the enclosing describe block, stopped after it. The object
 * returned stands for the current test's rig.
 */
export function useRig(): Rig {
  let current: Rig | undefined;
  beforeEach(async () => {
    current = await startRig();
  });
  afterEach(async () => {
    await current?.stop();
    current = undefined;
  });
  const rig = (): Rig => {
    if (!current) throw new Error("the rig exists only while a test runs");
    return current;
  };
  return {
    get emu() {
      return rig().emu;
    },
    get clock() {
      return rig().clock;
    },
    stop: () => rig().stop(),
  };
}

export interface Connected {
  instance: ProviderInstance;
  ctx: TestContext;
}

/** Create an instance on a test context and sign in. */
export async function connect(
  rig: Rig,
  method: string,
  secrets: Record<string, unknown>,
  settings: Record<string, unknown> = {},
): Promise<Connected> {
  const allSettings = { address: rig.emu.url, ...settings };
  const ctx = createTestContext({
    clock: rig.clock,
    integration: { id: "hashicorp", authMethod: method, settings: allSettings },
    // Rate-limit retries wait at most 1 ms instead of 500 ms; their number is unchanged.
    pluginOptions: { throttleBaseDelayMs: 1 },
  });
  const instance = await provider.create(ctx);
  const session = await instance.authenticate({ method, settings: allSettings, secrets });
  await ctx.saveSession(session);
  return { instance, ctx };
}

/** The AppRole that `connectAppRole` registers and signs in with. */
export const APPROLE = { roleId: "role-id-db-reader", secretId: "secret-id-db-reader-8812" };

/**
 * Register the AppRole (reader policy, 300 s tokens that cannot be renewed unless `role` says
 * otherwise) and sign in with it.
 */
export async function connectAppRole(
  rig: Rig,
  role: Partial<VaultAppRoleSpec> = {},
): Promise<Connected> {
  rig.emu.addAppRole({
    ...APPROLE,
    policies: ["reader"],
    ttlSeconds: 300,
    renewable: false,
    ...role,
  });
  return connect(rig, "approle", { ...APPROLE });
}

let counter = 0;
export function req(reference: string, version?: string): FetchRequest {
  counter += 1;
  return {
    id: `r${counter}`,
    reference: provider.parseReference(reference),
    ...(version ? { version } : {}),
  };
}

/** Fetch and index results by request id. */
export async function fetchAll(
  instance: ProviderInstance,
  requests: FetchRequest[],
): Promise<Map<string, FetchResult>> {
  const results = await instance.fetch(requests);
  return new Map(results.map((r) => [r.id, r]));
}

export function fetchedValue(result: FetchResult | undefined): string {
  if (!result?.ok)
    throw new Error(
      `expected a value, got ${result ? `${result.code}: ${result.message}` : "nothing"}`,
    );
  return typeof result.value === "string" ? result.value : new TextDecoder().decode(result.value);
}

export function failureOf(result: FetchResult | undefined): Extract<FetchResult, { ok: false }> {
  if (!result || result.ok) throw new Error("expected a failure");
  return result;
}
