import type { EmulatorResponse, RunningEmulator } from "../shared/index.js";
import { startEmulatorServer } from "../shared/index.js";
import type {
  AppRoleSpec,
  JwtAuthConfig,
  JwtRoleSpec,
  OidcRoleSpec,
  UserSpec,
} from "./auth-methods.js";
import { vaultFaultResponse } from "./faults.js";
import { handleVaultRequest } from "./handler.js";
import { parsePolicyText } from "./hcl-policy.js";
import type { SecretData } from "./kv-v1.js";
import { type KvMount, normalizeNamespace } from "./mounts.js";
import type { OidcSignInChoice } from "./oidc.js";
import type { VaultPolicy } from "./policies.js";
import { routeOf } from "./route.js";
import { VaultState, type VaultStateOptions } from "./state.js";
import type { TokenOptions } from "./tokens.js";

export interface HashicorpEmulatorOptions extends VaultStateOptions {
  port?: number;
  /**
   * Serve https with this key and certificate (PEM). `ca` (default: `cert`) is trusted when the
   * emulator fetches from itself (an `oidc_discovery_url` naming its own provider).
   */
  tls?: { key: string; cert: string; ca?: string };
}

export interface NamespaceOption {
  /** Enterprise namespace ("team-a"); default the root namespace. */
  namespace?: string;
}

export interface CreateTokenOptions
  extends Pick<
    TokenOptions,
    "policies" | "ttlSeconds" | "maxTtlSeconds" | "renewable" | "id" | "displayName"
  > {}

export interface HashicorpEmulator extends RunningEmulator {
  /** Token with the root policy; never expires (until expireCredentials or reset). */
  rootToken: string;
  state: VaultState;
  /** Write a secret straight into the store: a new version on KV v2, a replacement on v1. */
  writeKv(
    mount: string,
    path: string,
    data: SecretData,
    options?: NamespaceOption,
  ): { version?: number };
  /** Soft-delete the current version (v2) or remove the secret (v1). */
  deleteKv(mount: string, path: string, options?: NamespaceOption): void;
  /** Add (or empty and replace) a KV mount. */
  addKvMount(mount: string, version: 1 | 2, options?: NamespaceOption): void;
  createPolicy(name: string, policy: VaultPolicy): void;
  /** A policy from its HCL (or JSON) text, as `sys/policy` takes it; bad text rejects. */
  writePolicy(name: string, text: string): Promise<void>;
  /** A token with these policies ("default" is added); returns the token string. */
  createToken(options?: CreateTokenOptions): string;
  addAppRole(spec: AppRoleSpec): void;
  addUser(spec: UserSpec): void;
  /**
   * A JWT role (`role_type="jwt"`). Tokens are checked against the mount's config (see
   * configureJwtAuth): signature when keys are set, exp/nbf/iat, bound audiences, user claim.
   */
  addJwtRole(spec: JwtRoleSpec): void;
  /** `auth/<mount>/config` of a JWT/OIDC mount: validation keys, bound issuer, default role. */
  configureJwtAuth(config: JwtAuthConfig): void;
  /**
   * An OIDC role (`role_type="oidc"`, mount "oidc" unless told) for the browser sign-in, and the
   * users of the mount's emulated identity provider.
   */
  addOidcRole(spec: OidcRoleSpec): void;
  /** Who signs in (or that the person declines) at the mount's identity provider from now on. */
  setOidcSignIn(choice: OidcSignInChoice): void;
  /** Move the token clock forward. */
  advanceClock(ms: number): void;
  now(): number;
  seal(): void;
  unseal(): void;
}

/**
 * An in-process HashiCorp Vault (KV v1/v2, tokens, AppRole/userpass/JWT logins, the OIDC
 * browser sign-in with an emulated identity provider, policies).
 */
export async function startHashicorpEmulator(
  options: HashicorpEmulatorOptions = {},
): Promise<HashicorpEmulator> {
  const state = new VaultState(options);

  const kvMount = (mount: string, namespace?: string): KvMount => {
    const found = state.mounts.get(normalizeNamespace(namespace), mount);
    if (!found) throw new Error(`no KV mount "${mount}" in namespace "${namespace ?? ""}"`);
    return found;
  };
  const helpers = {
    writeKv: (mount: string, path: string, data: SecretData, opts: NamespaceOption = {}) => {
      const { store } = kvMount(mount, opts.namespace);
      if (store.version === 1) {
        store.put(path, data);
        return {};
      }
      return { version: store.write(path, data).version as number };
    },
    deleteKv: (mount: string, path: string, opts: NamespaceOption = {}) => {
      const { store } = kvMount(mount, opts.namespace);
      if (store.version === 1) store.delete(path);
      else store.softDelete(path);
    },
    addKvMount: (mount: string, version: 1 | 2, opts: NamespaceOption = {}) => {
      state.mounts.mount(normalizeNamespace(opts.namespace), mount, version);
    },
    createPolicy: (name: string, policy: VaultPolicy) => state.policies.set(name, policy),
    writePolicy: async (name: string, text: string) =>
      state.policies.set(name, await parsePolicyText(text), text),
    createToken: (opts: CreateTokenOptions = {}) =>
      state.tokens.create({ ...opts, policies: ["default", ...(opts.policies ?? [])] }).id,
    addAppRole: (spec: AppRoleSpec) => state.auth.addAppRole(spec),
    addUser: (spec: UserSpec) => state.auth.addUser(spec),
    addJwtRole: (spec: JwtRoleSpec) => state.auth.addJwtRole(spec),
    configureJwtAuth: (config: JwtAuthConfig) => state.auth.configureJwt(config),
    addOidcRole: (spec: OidcRoleSpec) => state.auth.addOidcRole(spec),
    setOidcSignIn: (choice: OidcSignInChoice) => state.oidc.choose(choice),
    advanceClock: (ms: number) => state.clock.advance(ms),
    seal: () => {
      state.sealed = true;
    },
    unseal: () => {
      state.sealed = false;
    },
  };
  const running = await startEmulatorServer(
    {
      name: "hashicorp-vault",
      ...(options.tls ? { tls: { key: options.tls.key, cert: options.tls.cert } } : {}),
      operationOf: (req) => routeOf(state, req).operation,
      handle: (req): Promise<EmulatorResponse> => handleVaultRequest(state, req),
      faultResponse: (kind, req) => vaultFaultResponse(kind, req, state.clock.now()),
      expireCredentials: () => state.tokens.revokeAll(),
      reset: () => state.reset(),
      control: {
        seal: () => helpers.seal(),
        unseal: () => helpers.unseal(),
        "advance-clock": (body) => helpers.advanceClock(Number((body as { ms?: number }).ms)),
        "write-kv": (body) => {
          const b = body as { mount: string; path: string; data: SecretData } & NamespaceOption;
          return helpers.writeKv(b.mount, b.path, b.data, b);
        },
        "create-policy": (body) => {
          const b = body as { name: string } & VaultPolicy;
          helpers.createPolicy(b.name, b);
        },
        "write-policy": async (body) => {
          const b = body as { name: string; policy: string };
          await helpers.writePolicy(b.name, b.policy);
        },
        "create-token": (body) => ({ token: helpers.createToken(body as CreateTokenOptions) }),
        "add-approle": (body) => helpers.addAppRole(body as AppRoleSpec),
        "add-user": (body) => helpers.addUser(body as UserSpec),
        "add-jwt-role": (body) => helpers.addJwtRole(body as JwtRoleSpec),
        "configure-jwt-auth": (body) => helpers.configureJwtAuth(body as JwtAuthConfig),
        "add-oidc-role": (body) => helpers.addOidcRole(body as OidcRoleSpec),
        "oidc-sign-in": (body) => helpers.setOidcSignIn(body as OidcSignInChoice),
        "root-token": () => ({ token: state.rootToken }),
      },
    },
    options.port === undefined ? {} : { port: options.port },
  );
  state.apiAddr = running.url;
  state.tlsCert = options.tls ? (options.tls.ca ?? options.tls.cert) : undefined;
  return {
    ...running,
    rootToken: state.rootToken,
    state,
    now: () => state.clock.now(),
    ...helpers,
  };
}
