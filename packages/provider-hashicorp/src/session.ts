import type { ProviderSession } from "@vaultlink/core/plugin";

/** What is stored (encrypted) for one member's sign-in. */
export interface VaultCredentials {
  /** The auth method that issued the token. */
  method: string;
  token: string;
  /** TTL of the token when it was obtained or last renewed, in seconds; 0 = never expires. */
  ttlSeconds: number;
  renewable: boolean;
  /** ctx.clock time (ms) at which the TTL was read. */
  obtainedAt: number;
  /** AppRole only: kept so the provider can log in again when the token cannot be renewed. */
  roleId?: string;
  secretId?: string;
}

/** Renew once this fraction of the TTL has passed (Vault's own agent renews at about 2/3). */
export const RENEW_FRACTION = 2 / 3;

export function credentialsOf(session: ProviderSession | undefined): VaultCredentials | undefined {
  const c = session?.credentials as Partial<VaultCredentials> | undefined;
  if (!c || typeof c.token !== "string" || c.token === "") return undefined;
  return {
    method: typeof c.method === "string" ? c.method : "token",
    token: c.token,
    ttlSeconds: typeof c.ttlSeconds === "number" && c.ttlSeconds > 0 ? c.ttlSeconds : 0,
    renewable: c.renewable === true,
    obtainedAt: typeof c.obtainedAt === "number" ? c.obtainedAt : 0,
    ...(typeof c.roleId === "string" ? { roleId: c.roleId } : {}),
    ...(typeof c.secretId === "string" ? { secretId: c.secretId } : {}),
  };
}

/** When the token stops working (ms), or undefined for a token without expiry (root). */
export function expiryOf(c: VaultCredentials): number | undefined {
  return c.ttlSeconds > 0 ? c.obtainedAt + c.ttlSeconds * 1000 : undefined;
}

/** When to renew (ms): two thirds into the current TTL. */
export function renewAtOf(c: VaultCredentials): number | undefined {
  return c.ttlSeconds > 0
    ? c.obtainedAt + Math.floor(c.ttlSeconds * 1000 * RENEW_FRACTION)
    : undefined;
}

/** Can the provider sign in again without the person (AppRole keeps its role and secret id)? */
export function canRelogin(c: VaultCredentials): boolean {
  return c.method === "approle" && typeof c.roleId === "string" && typeof c.secretId === "string";
}

/**
 * The session core stores. `expiresAt` is the token's expiry, except for AppRole: its stored
 * role and secret id get a new token without a person, so the session itself does not expire
 * with the token (core stops calling a provider whose session has expired). Decision 0301.
 */
export function toSession(c: VaultCredentials, identity?: string): ProviderSession {
  const expiry = canRelogin(c) ? undefined : expiryOf(c);
  return {
    credentials: { ...c },
    ...(expiry !== undefined ? { expiresAt: new Date(expiry) } : {}),
    ...(identity ? { identity } : {}),
  };
}
