import { createPublicKey, type KeyObject, randomBytes, randomUUID } from "node:crypto";
import { type DirectoryUser, UserSignIns } from "./user-sign-in.js";

/** An app registration that may use the client-credentials grant. */
export interface ServicePrincipal {
  clientId: string;
  clientSecret: string;
}

interface IssuedToken {
  clientId: string;
  expiresAt: number;
  epoch: number;
}

/** A workload's federated identity: tokens from `issuer` about `subject` stand for `clientId`. */
export interface FederatedCredential {
  clientId: string;
  issuer: string;
  subject: string;
}

export type TokenCheck = "valid" | "missing" | "unknown" | "expired" | "revoked";

export interface AzureIdentityOptions {
  /** Tenant named in challenges and served by the authority endpoints. Default: a fixed GUID. */
  tenantId?: string;
  /** Lifetime of issued access tokens. Default 3600. */
  tokenTtlSeconds?: number;
  /** Client id reported by the managed-identity endpoint. */
  managedIdentityClientId?: string;
  /** Value the managed-identity endpoint expects in `x-identity-header`. Default: random. */
  identityHeader?: string;
  servicePrincipals?: ServicePrincipal[];
  /** Users who may sign in (browser, device code). Default: one, DEFAULT_USER. */
  users?: DirectoryUser[];
  /** Client ids users may sign in through. Default: @azure/identity's developer client id. */
  publicClients?: string[];
  /** Poll interval handed to device-code clients. Default 5 (as Entra ID). */
  deviceCodeIntervalSeconds?: number;
}

export const DEFAULT_TENANT_ID = "72f988bf-0000-4000-8000-00000000e0e0";

/** The tenant Entra ID files personal Microsoft accounts under (the `consumers` issuer). */
export const CONSUMERS_TENANT_ID = "9188040d-6c67-4c5b-b112-36a304b66dad";

/**
 * What the first path segment of an authority URL names, as Entra ID reads it:
 * - `tenant`: the emulated directory itself (its tenant id);
 * - `organizations`, `common`: no tenant yet; the signed-in user's home tenant decides, so only
 *   flows with a user in them (device code, authorization code) can use them;
 * - `consumers`: personal Microsoft accounts only, which the emulated directory has none of;
 * - `unknown`: anything else (AADSTS90002).
 * The aliases are case-insensitive, as in Entra ID.
 */
export type AuthorityKind = "tenant" | "organizations" | "common" | "consumers" | "unknown";

/**
 * The token side of Entra ID, shared by every vault it serves: service principals, issued
 * tokens, and revocation. Tokens are opaque random strings, looked up on every request.
 */
export class AzureIdentity {
  readonly tenantId: string;
  readonly identityHeader: string;
  readonly managedIdentityClientId: string;
  /** Users, public clients, and the authorization and device codes waiting for them. */
  readonly users: UserSignIns;
  tokenTtlSeconds: number;
  #principals = new Map<string, string>();
  #certificates = new Map<string, KeyObject>();
  #federated: FederatedCredential[] = [];
  #initialPrincipals: ServicePrincipal[];
  #tokens = new Map<string, IssuedToken>();
  #initialTtl: number;
  #epoch = 0;

  constructor(options: AzureIdentityOptions = {}) {
    this.tenantId = options.tenantId ?? DEFAULT_TENANT_ID;
    this.identityHeader = options.identityHeader ?? randomBytes(16).toString("hex");
    this.managedIdentityClientId = options.managedIdentityClientId ?? randomUUID();
    this.tokenTtlSeconds = options.tokenTtlSeconds ?? 3600;
    this.#initialTtl = this.tokenTtlSeconds;
    this.#initialPrincipals = [...(options.servicePrincipals ?? [])];
    this.users = new UserSignIns(options);
    this.reset();
  }

  /** What an authority's tenant segment names. */
  authorityOf(tenant: string): AuthorityKind {
    if (tenant === this.tenantId) return "tenant";
    const alias = tenant.toLowerCase();
    if (alias === "organizations" || alias === "common" || alias === "consumers") return alias;
    return "unknown";
  }

  addServicePrincipal(principal: ServicePrincipal): void {
    this.#principals.set(principal.clientId, principal.clientSecret);
  }

  /** Let `clientId` sign in with a client assertion signed by this certificate's key. */
  addCertificatePrincipal(clientId: string, certificatePem: string): void {
    this.#certificates.set(clientId, createPublicKey(certificatePem));
  }

  /** The public key of the certificate registered for `clientId`, if any. */
  certificateKeyOf(clientId: string): KeyObject | undefined {
    return this.#certificates.get(clientId);
  }

  /** Let tokens from `issuer` about `subject` (a Kubernetes service account…) sign in as `clientId`. */
  addFederatedCredential(credential: FederatedCredential): void {
    this.#federated.push({ ...credential });
  }

  isFederated(clientId: string, issuer: unknown, subject: unknown): boolean {
    return this.#federated.some(
      (f) => f.clientId === clientId && f.issuer === issuer && f.subject === subject,
    );
  }

  /** "unknown-client", "bad-secret" or "ok". */
  checkClient(clientId: string, clientSecret: string): "unknown-client" | "bad-secret" | "ok" {
    const expected = this.#principals.get(clientId);
    if (expected === undefined) return "unknown-client";
    return expected === clientSecret ? "ok" : "bad-secret";
  }

  issue(clientId: string): { token: string; expiresOn: number; expiresIn: number } {
    const token = `emu.${randomBytes(24).toString("base64url")}`;
    const expiresIn = this.tokenTtlSeconds;
    const expiresAt = Date.now() + expiresIn * 1000;
    this.#tokens.set(token, { clientId, expiresAt, epoch: this.#epoch });
    return { token, expiresOn: Math.floor(expiresAt / 1000), expiresIn };
  }

  /** Judge an Authorization header. */
  check(authorization: string | undefined): TokenCheck {
    if (!authorization) return "missing";
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match?.[1]) return "unknown";
    const issued = this.#tokens.get(match[1]);
    if (!issued) return "unknown";
    if (issued.epoch < this.#epoch) return "revoked";
    if (issued.expiresAt <= Date.now()) return "expired";
    return "valid";
  }

  /** Every token issued so far stops working. */
  revokeAll(): void {
    this.#epoch += 1;
  }

  /**
   * Back to the configured service principals, users and TTL (certificate and federated
   * sign-ins added at run time, and pending user sign-ins, are dropped). Issued tokens stay valid.
   */
  reset(): void {
    this.users.reset();
    this.#principals.clear();
    this.#certificates.clear();
    this.#federated = [];
    this.tokenTtlSeconds = this.#initialTtl;
    for (const p of this.#initialPrincipals) this.addServicePrincipal(p);
  }
}
