import { type AuthMethod, AuthMethods, DEFAULT_AUTH_MOUNTS } from "./auth-methods.js";
import { VaultClock } from "./clock.js";
import { IdentityStore } from "./identity.js";
import { DEFAULT_KV_MOUNTS, NamespaceMounts } from "./mounts.js";
import { OidcFlows } from "./oidc.js";
import { PolicyStore } from "./policies.js";
import { TokenStore } from "./tokens.js";

export interface VaultStateOptions {
  /** Base clock in epoch ms for token TTLs. Default Date.now. advanceClock() adds to it. */
  now?: () => number;
  /** The root token's string. Default "hvs.emulator-root". */
  rootToken?: string;
  /** KV mounts of every namespace, path → KV version. Default { secret: 2, kv: 1 }. */
  kvMounts?: Record<string, 1 | 2>;
  /** Auth mounts, path (without "auth/") → method. Default approle, userpass, jwt and oidc. */
  authMounts?: Record<string, AuthMethod>;
}

/** Everything the Vault emulator knows; `reset` brings it back to a fresh server. */
export class VaultState {
  readonly clock: VaultClock;
  readonly tokens: TokenStore;
  readonly policies = new PolicyStore();
  readonly mounts: NamespaceMounts;
  readonly auth: AuthMethods;
  /** OIDC sign-ins in flight and the emulated identity provider's choices. */
  readonly oidc = new OidcFlows();
  /** Identity entities and the OIDC identity provider (keys, clients, providers, codes). */
  readonly identity = new IdentityStore();
  readonly rootToken: string;
  /** The server's own address (Vault's api_addr): the default issuer of OIDC providers. */
  apiAddr = "";
  /** The certificate an https emulator serves, trusted when it fetches from itself. */
  tlsCert: string | undefined;
  sealed = false;

  constructor(options: VaultStateOptions = {}) {
    this.clock = new VaultClock(options.now);
    this.tokens = new TokenStore(this.clock);
    this.mounts = new NamespaceMounts(options.kvMounts ?? DEFAULT_KV_MOUNTS, () =>
      this.clock.now(),
    );
    this.auth = new AuthMethods(options.authMounts ?? DEFAULT_AUTH_MOUNTS);
    this.rootToken = options.rootToken ?? "hvs.emulator-root";
    this.#issueRoot();
  }

  #issueRoot(): void {
    this.tokens.create({
      id: this.rootToken,
      policies: ["root"],
      ttlSeconds: 0,
      displayName: "root",
      path: "auth/token/root",
    });
  }

  reset(): void {
    this.clock.reset();
    this.tokens.revokeAll();
    this.policies.clear();
    this.mounts.clear();
    this.auth.clear();
    this.oidc.clear();
    this.identity.clear();
    this.sealed = false;
    this.#issueRoot();
  }
}
