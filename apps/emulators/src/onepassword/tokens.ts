import { randomBytes } from "node:crypto";

interface TokenGrant {
  /** Vault ids the token may read, or "all". */
  vaults: Set<string> | "all";
  epoch: number;
}

/** Connect access tokens: opaque strings, each scoped to some vaults or to all. */
export class ConnectTokens {
  #grants = new Map<string, TokenGrant>();
  #epoch = 0;

  create(vaults?: string[]): string {
    const token = `opc_${randomBytes(24).toString("base64url")}`;
    this.#grants.set(token, { vaults: vaults ? new Set(vaults) : "all", epoch: this.#epoch });
    return token;
  }

  /** The grant behind an Authorization header, or undefined if it is missing, unknown or expired. */
  grantOf(authorization: string | undefined): TokenGrant | undefined {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? "");
    const grant = match?.[1] ? this.#grants.get(match[1]) : undefined;
    return grant && grant.epoch === this.#epoch ? grant : undefined;
  }

  /** Every token issued so far stops working. */
  expireAll(): void {
    this.#epoch += 1;
  }
}

export function canRead(grant: TokenGrant, vaultId: string): boolean {
  return grant.vaults === "all" || grant.vaults.has(vaultId);
}
