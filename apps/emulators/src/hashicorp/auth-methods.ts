import { type KeyObject, randomBytes } from "node:crypto";
import { parseDuration } from "./duration.js";
import { parsePublicKey } from "./jwt-verify.js";
import type { TokenOptions } from "./tokens.js";

/** "jwt" and "oidc" are one Vault plugin: a mount of either serves JWT logins and the OIDC flow. */
export type AuthMethod = "approle" | "userpass" | "jwt" | "oidc";

const pluginOf = (method: AuthMethod) => (method === "oidc" ? "jwt" : method);

/** Auth mounts present from the start: each method mounted at its own name. */
export const DEFAULT_AUTH_MOUNTS: Record<string, AuthMethod> = {
  approle: "approle",
  userpass: "userpass",
  jwt: "jwt",
  oidc: "oidc",
};

/** What a login issues. `ttl` may be seconds or a duration such as "1h"; default 1h. */
export interface LoginSettings {
  policies?: string[];
  ttl?: number | string;
  ttlSeconds?: number;
  maxTtlSeconds?: number;
  renewable?: boolean;
  /** Auth mount, without "auth/". Default: the method's name. */
  mount?: string;
}

export interface AppRoleSpec extends LoginSettings {
  roleId: string;
  secretId: string;
  roleName?: string;
}

export interface UserSpec extends LoginSettings {
  username: string;
  password: string;
}

/** A role of `role_type="jwt"`: logins post a JWT to auth/<mount>/login. */
export interface JwtRoleSpec extends LoginSettings {
  role: string;
  /** `bound_audiences`: one must be in the token's `aud`; unset, a token with `aud` is refused. */
  boundAudiences?: string[];
  /** `bound_subject`: the `sub` the token must have. */
  boundSubject?: string;
  /** `user_claim`: the claim naming the user (token display name `<mount>-<value>`). Default "sub". */
  userClaim?: string;
}

/** Someone who can sign in at a mount's emulated identity provider. */
export interface OidcUser {
  sub: string;
  /** Further ID-token claims (email, groups, …). */
  claims?: Record<string, unknown>;
}

/** A role of `role_type="oidc"`: browser sign-in through auth/<mount>/oidc/auth_url and callback. */
export interface OidcRoleSpec extends LoginSettings {
  role: string;
  /** `allowed_redirect_uris`; loopback ones (127.0.0.1, localhost, ::1) match any port. */
  allowedRedirectUris: string[];
  /** `user_claim`. Default "sub". */
  userClaim?: string;
  /** Users added to the mount's identity provider (a string is a `sub`). */
  users?: (string | OidcUser)[];
}

/** `auth/<mount>/config` of a JWT/OIDC mount. */
export interface JwtAuthConfig {
  /** Default "jwt". */
  mount?: string;
  /** `jwt_validation_pubkeys` (PEM public keys or certificates). Unset: signatures are not checked. */
  jwtValidationPubkeys?: string[];
  /** `bound_issuer`: the `iss` every JWT must have. */
  boundIssuer?: string;
  /** `default_role`: used when a login or auth_url names no role. */
  defaultRole?: string;
  /** Set by an `auth/<mount>/config` write with `oidc_discovery_url` (fetched then). */
  discovery?: DiscoveredIssuer;
}

export type JwtPluginRole =
  | (JwtRoleSpec & { roleType: "jwt" })
  | (OidcRoleSpec & { roleType: "oidc" });

/** What `oidc_discovery_url` gave at config time, and the JWKS last fetched. */
export interface DiscoveredIssuer {
  url: string;
  issuer: string;
  jwksUri: string;
  /** Keys by `kid` ("" for a key without one), fetched lazily and refetched on an unknown kid. */
  jwks?: Map<string, KeyObject>;
  /** Extra CA for the fetches (an https emulator's own certificate). */
  trust?: { ca?: string };
}

/** What a JWT/OIDC mount knows besides its roles. */
export interface JwtMountState {
  keys: KeyObject[];
  /** The PEM texts of `jwt_validation_pubkeys`, as config reads return them. */
  pubkeyPems?: string[];
  discovery?: DiscoveredIssuer;
  boundIssuer?: string;
  defaultRole?: string;
  /** An OIDC role was added: the mount serves the browser flow. */
  oidc: boolean;
  /** The emulated identity provider's users, by `sub`, in the order added. */
  users: Map<string, OidcUser>;
}

/** Token options for a login with these settings ("default" is always added). */
export function tokenOptionsFor(settings: LoginSettings): TokenOptions {
  const ttl = settings.ttlSeconds ?? parseDuration(settings.ttl) ?? 3600;
  return {
    policies: ["default", ...(settings.policies ?? [])],
    ttlSeconds: ttl,
    ...(settings.maxTtlSeconds === undefined ? {} : { maxTtlSeconds: settings.maxTtlSeconds }),
    renewable: settings.renewable ?? true,
  };
}

/** Methods `sys/auth` can enable (`oidc` is the same plugin as `jwt`). */
export const ENABLEABLE_METHODS: readonly AuthMethod[] = ["approle", "userpass", "jwt", "oidc"];

/** How `sys/auth` describes a mount. */
export interface AuthMountInfo {
  type: string;
  accessor: string;
  description: string;
}

/** Auth mounts and the roles and users registered on them. */
export class AuthMethods {
  #mounts = new Map<string, AuthMethod>();
  #info = new Map<string, AuthMountInfo>();
  #entries = new Map<string, Map<string, AppRoleSpec | UserSpec | JwtPluginRole>>();
  #jwtMounts = new Map<string, JwtMountState>();

  constructor(private readonly defaults: Record<string, AuthMethod>) {
    this.clear();
  }

  clear(): void {
    this.#mounts = new Map(Object.entries(this.defaults));
    this.#info.clear();
    this.#entries.clear();
    this.#jwtMounts.clear();
  }

  methodOf(mount: string): AuthMethod | undefined {
    return this.#mounts.get(mount);
  }

  /** `sys/auth/<path>` enable; false when the path is taken. */
  enable(mount: string, method: AuthMethod, description = ""): boolean {
    if (this.#mounts.has(mount) || mount === "token") return false;
    this.#mounts.set(mount, method);
    this.#info.set(mount, { type: method, accessor: accessorOf(method), description });
    return true;
  }

  /** `sys/auth/<path>` disable: the mount, its roles, users and config are gone. */
  disable(mount: string): void {
    this.#mounts.delete(mount);
    this.#info.delete(mount);
    this.#entries.delete(mount);
    this.#jwtMounts.delete(mount);
  }

  /** Every mount (with `token`), as `sys/auth` lists them. */
  list(): Map<string, AuthMountInfo> {
    const all = new Map<string, AuthMountInfo>([
      [
        "token",
        { type: "token", accessor: "auth_token_emulator", description: "token based credentials" },
      ],
    ]);
    for (const [mount, method] of this.#mounts) {
      let info = this.#info.get(mount);
      if (!info) {
        info = { type: method, accessor: accessorOf(method), description: "" };
        this.#info.set(mount, info);
      }
      all.set(mount, info);
    }
    return all;
  }

  /** Users (userpass) or roles (AppRole by role id, JWT/OIDC by name) on a mount. */
  entryNames(mount: string): string[] {
    return [...(this.#entries.get(mount)?.keys() ?? [])].sort();
  }

  /** A user of a userpass mount, whatever its password. */
  userByName(mount: string, username: string): UserSpec | undefined {
    return this.#entries.get(mount)?.get(username) as UserSpec | undefined;
  }

  deleteEntry(mount: string, key: string): void {
    this.#entries.get(mount)?.delete(key);
  }

  #register(method: AuthMethod, mount: string | undefined, key: string, spec: object): void {
    const at = mount ?? method;
    const existing = this.#mounts.get(at);
    if (existing && pluginOf(existing) !== pluginOf(method)) {
      throw new Error(`auth mount "${at}" is ${existing}, not ${method}`);
    }
    if (!existing) this.#mounts.set(at, method);
    let table = this.#entries.get(at);
    if (!table) {
      table = new Map();
      this.#entries.set(at, table);
    }
    table.set(key, spec as AppRoleSpec);
  }

  addAppRole(spec: AppRoleSpec): void {
    this.#register("approle", spec.mount, spec.roleId, spec);
  }

  addUser(spec: UserSpec): void {
    this.#register("userpass", spec.mount, spec.username, spec);
  }

  addJwtRole(spec: JwtRoleSpec): void {
    this.#register("jwt", spec.mount, spec.role, { ...spec, roleType: "jwt" });
  }

  addOidcRole(spec: OidcRoleSpec): void {
    const mount = spec.mount ?? "oidc";
    this.#register(this.#mounts.get(mount) === "jwt" ? "jwt" : "oidc", mount, spec.role, {
      ...spec,
      roleType: "oidc",
    });
    const state = this.jwtMount(mount);
    state.oidc = true;
    for (const user of spec.users ?? []) {
      const entry = typeof user === "string" ? { sub: user } : user;
      state.users.set(entry.sub, entry);
    }
  }

  /** Set `auth/<mount>/config` (keys are parsed now; a bad PEM throws). */
  configureJwt(config: JwtAuthConfig): void {
    const mount = config.mount ?? "jwt";
    const keys = (config.jwtValidationPubkeys ?? []).map(parsePublicKey);
    const existing = this.#mounts.get(mount);
    if (existing && pluginOf(existing) !== "jwt") {
      throw new Error(`auth mount "${mount}" is ${existing}, not jwt`);
    }
    if (!existing) this.#mounts.set(mount, "jwt");
    const state = this.jwtMount(mount);
    state.keys = keys;
    if (config.jwtValidationPubkeys) state.pubkeyPems = [...config.jwtValidationPubkeys];
    else delete state.pubkeyPems;
    if (config.discovery) state.discovery = config.discovery;
    else delete state.discovery;
    if (config.boundIssuer === undefined) delete state.boundIssuer;
    else state.boundIssuer = config.boundIssuer;
    if (config.defaultRole === undefined) delete state.defaultRole;
    else state.defaultRole = config.defaultRole;
  }

  /** The JWT/OIDC state of a mount (created empty on first use). */
  jwtMount(mount: string): JwtMountState {
    let state = this.#jwtMounts.get(mount);
    if (!state) {
      state = { keys: [], oidc: false, users: new Map() };
      this.#jwtMounts.set(mount, state);
    }
    return state;
  }

  appRole(mount: string, roleId: string, secretId: string): AppRoleSpec | undefined {
    const spec = this.#entries.get(mount)?.get(roleId) as AppRoleSpec | undefined;
    return spec && spec.secretId === secretId ? spec : undefined;
  }

  user(mount: string, username: string, password: string): UserSpec | undefined {
    const spec = this.#entries.get(mount)?.get(username) as UserSpec | undefined;
    return spec && spec.password === password ? spec : undefined;
  }

  jwtRole(mount: string, role: string): JwtPluginRole | undefined {
    return this.#entries.get(mount)?.get(role) as JwtPluginRole | undefined;
  }

  /** Whether the mount is the JWT/OIDC plugin. */
  isJwtPlugin(mount: string): boolean {
    const method = this.#mounts.get(mount);
    return method !== undefined && pluginOf(method) === "jwt";
  }
}

const accessorOf = (method: string) => `auth_${method}_${randomBytes(4).toString("hex")}`;
