import { parseDuration } from "./duration.js";
import type { TokenOptions } from "./tokens.js";

export type AuthMethod = "approle" | "userpass" | "jwt";

/** Auth mounts present from the start: each method mounted at its own name. */
export const DEFAULT_AUTH_MOUNTS: Record<string, AuthMethod> = {
  approle: "approle",
  userpass: "userpass",
  jwt: "jwt",
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

export interface JwtRoleSpec extends LoginSettings {
  role: string;
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

/** Auth mounts and the roles and users registered on them. */
export class AuthMethods {
  #mounts = new Map<string, AuthMethod>();
  #entries = new Map<string, Map<string, AppRoleSpec | UserSpec | JwtRoleSpec>>();

  constructor(private readonly defaults: Record<string, AuthMethod>) {
    this.clear();
  }

  clear(): void {
    this.#mounts = new Map(Object.entries(this.defaults));
    this.#entries.clear();
  }

  methodOf(mount: string): AuthMethod | undefined {
    return this.#mounts.get(mount);
  }

  #register(method: AuthMethod, mount: string | undefined, key: string, spec: object): void {
    const at = mount ?? method;
    const existing = this.#mounts.get(at);
    if (existing && existing !== method) {
      throw new Error(`auth mount "${at}" is ${existing}, not ${method}`);
    }
    this.#mounts.set(at, method);
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
    this.#register("jwt", spec.mount, spec.role, spec);
  }

  appRole(mount: string, roleId: string, secretId: string): AppRoleSpec | undefined {
    const spec = this.#entries.get(mount)?.get(roleId) as AppRoleSpec | undefined;
    return spec && spec.secretId === secretId ? spec : undefined;
  }

  user(mount: string, username: string, password: string): UserSpec | undefined {
    const spec = this.#entries.get(mount)?.get(username) as UserSpec | undefined;
    return spec && spec.password === password ? spec : undefined;
  }

  jwtRole(mount: string, role: string): JwtRoleSpec | undefined {
    return this.#entries.get(mount)?.get(role) as JwtRoleSpec | undefined;
  }
}
