import { randomBytes } from "node:crypto";
import { type VaultClock, vaultTime } from "./clock.js";

/** Vault's default system maximum TTL (32 days). */
export const SYSTEM_MAX_TTL_SECONDS = 2_764_800;

export interface TokenOptions {
  policies?: string[];
  /** 0 means the token never expires (like the root token). Default 3600. */
  ttlSeconds?: number;
  /** Ceiling for renewals, counted from issue time. Default: the system max (32 days). */
  maxTtlSeconds?: number;
  renewable?: boolean;
  /** Use this token string instead of a random `hvs.` one. */
  id?: string;
  displayName?: string;
  /** The login path that created it, e.g. "auth/approle/login". */
  path?: string;
  meta?: Record<string, string> | null;
  entityId?: string;
}

export interface VaultToken {
  id: string;
  accessor: string;
  policies: string[];
  displayName: string;
  path: string;
  meta: Record<string, string> | null;
  creationTtl: number;
  explicitMaxTtl: number;
  issuedAt: number;
  /** null: never expires. */
  expiresAt: number | null;
  maxExpiresAt: number | null;
  renewable: boolean;
  entityId: string;
}

const randomId = (bytes: number) => randomBytes(bytes).toString("base64url").replace(/[-_]/g, "x");

export class TokenStore {
  #tokens = new Map<string, VaultToken>();

  constructor(private readonly clock: VaultClock) {}

  create(options: TokenOptions = {}): VaultToken {
    const now = this.clock.now();
    const ttl = options.ttlSeconds ?? 3600;
    const explicitMax = options.maxTtlSeconds ?? 0;
    const maxTtl = explicitMax > 0 ? explicitMax : SYSTEM_MAX_TTL_SECONDS;
    const policies = [...new Set(options.policies ?? ["default"])].sort();
    const token: VaultToken = {
      id: options.id ?? `hvs.${randomId(18)}`,
      accessor: randomId(18),
      policies,
      displayName: options.displayName ?? "token",
      path: options.path ?? "auth/token/create",
      meta: options.meta ?? null,
      creationTtl: ttl === 0 ? 0 : Math.min(ttl, maxTtl),
      explicitMaxTtl: explicitMax,
      issuedAt: now,
      expiresAt: ttl === 0 ? null : now + Math.min(ttl, maxTtl) * 1000,
      maxExpiresAt: ttl === 0 ? null : now + maxTtl * 1000,
      renewable: ttl === 0 ? false : (options.renewable ?? true),
      entityId: options.entityId ?? "",
    };
    this.#tokens.set(token.id, token);
    return token;
  }

  /** A token that still works: known, not revoked, not expired. */
  valid(id: string | undefined): VaultToken | undefined {
    if (!id) return undefined;
    const token = this.#tokens.get(id);
    if (!token) return undefined;
    if (token.expiresAt !== null && token.expiresAt <= this.clock.now()) return undefined;
    return token;
  }

  ttlOf(token: VaultToken): number {
    if (token.expiresAt === null) return 0;
    return Math.max(0, Math.floor((token.expiresAt - this.clock.now()) / 1000));
  }

  /** Extend by `increment` seconds from now (default: the creation TTL), capped at the max TTL. */
  renew(token: VaultToken, increment?: number): { renewed: boolean; capped: boolean } {
    if (!token.renewable || token.expiresAt === null || token.maxExpiresAt === null) {
      return { renewed: false, capped: false };
    }
    const now = this.clock.now();
    const wanted = now + (increment ?? token.creationTtl) * 1000;
    token.expiresAt = Math.min(wanted, token.maxExpiresAt);
    return { renewed: true, capped: wanted > token.maxExpiresAt };
  }

  /** The tokens that still work (for tests that check what a client revoked). */
  live(): VaultToken[] {
    return [...this.#tokens.keys()].flatMap((id) => this.valid(id) ?? []);
  }

  revoke(id: string): void {
    this.#tokens.delete(id);
  }

  /** Every token issued so far stops working. */
  revokeAll(): void {
    this.#tokens.clear();
  }

  /** `data` of auth/token/lookup-self. */
  describe(token: VaultToken): Record<string, unknown> {
    return {
      accessor: token.accessor,
      creation_time: Math.floor(token.issuedAt / 1000),
      creation_ttl: token.creationTtl,
      display_name: token.displayName,
      entity_id: token.entityId,
      expire_time: token.expiresAt === null ? null : vaultTime(token.expiresAt),
      explicit_max_ttl: token.explicitMaxTtl,
      id: token.id,
      issue_time: vaultTime(token.issuedAt),
      meta: token.meta,
      num_uses: 0,
      orphan: true,
      path: token.path,
      policies: token.policies,
      renewable: token.renewable,
      ttl: this.ttlOf(token),
      type: "service",
    };
  }

  /** `auth` block of logins and renewals. */
  authBlock(token: VaultToken): Record<string, unknown> {
    return {
      client_token: token.id,
      accessor: token.accessor,
      policies: token.policies,
      token_policies: token.policies,
      metadata: token.meta,
      lease_duration: this.ttlOf(token),
      renewable: token.renewable,
      entity_id: token.entityId,
      token_type: "service",
      orphan: true,
      mfa_requirement: null,
      num_uses: 0,
    };
  }
}
