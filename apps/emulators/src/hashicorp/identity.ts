import {
  createHash,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  randomUUID,
  sign,
} from "node:crypto";

/** An identity entity: who a token belongs to, across the auth methods that log them in. */
export interface Entity {
  id: string;
  name: string;
  /** `<mount>:<alias name>` of every alias (one per auth mount the person logged in with). */
  aliases: { mount: string; name: string }[];
  disabled: boolean;
}

/** `identity/oidc/key/:name`: a signing key pair for ID tokens. */
export interface NamedKey {
  name: string;
  algorithm: "RS256" | "ES256";
  verificationTtl: number;
  rotationPeriod: number;
  allowedClientIds: string[];
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export interface OidcAssignment {
  entityIds: string[];
  groupIds: string[];
}

export interface OidcScope {
  template: string;
  description: string;
}

export interface OidcClient {
  name: string;
  clientId: string;
  /** Only confidential clients have one. */
  clientSecret?: string;
  clientType: "confidential" | "public";
  redirectUris: string[];
  assignments: string[];
  key: string;
  idTokenTtl: number;
  accessTokenTtl: number;
}

export interface OidcProvider {
  name: string;
  /** As written (`scheme://host:port` or ""). */
  issuer: string;
  allowedClientIds: string[];
  scopesSupported: string[];
  /** Namespace it was created in; part of its issuer path. */
  namespace: string;
}

export interface AuthCode {
  provider: string;
  clientId: string;
  entityId: string;
  redirectUri: string;
  nonce: string;
  scopes: string[];
  codeChallenge?: string;
  codeChallengeMethod?: "plain" | "S256";
  createdAt: number;
}

export interface AccessToken {
  provider: string;
  clientId: string;
  entityId: string;
  scopes: string[];
  expiresAt: number;
}

/** Vault keeps authorization codes for 5 minutes. */
export const AUTH_CODE_TTL_MS = 5 * 60_000;

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** A random base62 string, the alphabet of Vault's client ids, secrets and codes. */
export function base62(length: number): string {
  const bytes = randomBytes(length * 2);
  let out = "";
  for (const byte of bytes) {
    if (byte >= 248) continue;
    out += BASE62[byte % 62];
    if (out.length === length) break;
  }
  return out.length === length ? out : out + base62(length - out.length);
}

export function generateKey(
  name: string,
  algorithm: NamedKey["algorithm"],
  settings: Pick<NamedKey, "verificationTtl" | "rotationPeriod" | "allowedClientIds">,
): NamedKey {
  const pair =
    algorithm === "ES256"
      ? generateKeyPairSync("ec", { namedCurve: "P-256" })
      : generateKeyPairSync("rsa", { modulusLength: 2048 });
  return { name, algorithm, ...settings, kid: randomUUID(), ...pair };
}

/** The key's public half as a JWK (`use: sig`, `kid`, `alg`). */
export function publicJwk(key: NamedKey): Record<string, unknown> {
  const jwk = key.publicKey.export({ format: "jwk" }) as Record<string, unknown>;
  return { use: "sig", kid: key.kid, alg: key.algorithm, ...jwk };
}

/** A compact JWS of these claims signed with the key (ES256 signatures are r||s). */
export function signJwt(key: NamedKey, claims: Record<string, unknown>): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const input = `${part({ alg: key.algorithm, kid: key.kid })}.${part(claims)}`;
  const signature =
    key.algorithm === "ES256"
      ? sign("sha256", Buffer.from(input), { key: key.privateKey, dsaEncoding: "ieee-p1363" })
      : sign("sha256", Buffer.from(input), key.privateKey);
  return `${input}.${signature.toString("base64url")}`;
}

/** `at_hash` / `c_hash`: the left half of the SHA-256 of the value, base64url. */
export function halfHash(value: string): string {
  const digest = createHash("sha256").update(value).digest();
  return digest.subarray(0, digest.length / 2).toString("base64url");
}

/** Entities and the OIDC identity provider's objects (shared by every namespace). */
export class IdentityStore {
  readonly entities = new Map<string, Entity>();
  readonly keys = new Map<string, NamedKey | "lazy-default">();
  readonly assignments = new Map<string, OidcAssignment>();
  readonly scopes = new Map<string, OidcScope>();
  readonly clients = new Map<string, OidcClient>();
  readonly providers = new Map<string, OidcProvider>();
  readonly codes = new Map<string, AuthCode>();
  readonly accessTokens = new Map<string, AccessToken>();

  constructor() {
    this.clear();
  }

  clear(): void {
    this.entities.clear();
    this.keys.clear();
    this.assignments.clear();
    this.scopes.clear();
    this.clients.clear();
    this.providers.clear();
    this.codes.clear();
    this.accessTokens.clear();
    // Vault's built-ins: the default key (made on first use), allow_all and the default provider.
    this.keys.set("default", "lazy-default");
    this.assignments.set("allow_all", { entityIds: ["*"], groupIds: ["*"] });
    this.providers.set("default", {
      name: "default",
      issuer: "",
      allowedClientIds: ["*"],
      scopesSupported: [],
      namespace: "",
    });
  }

  /** The entity of an alias (`mount`, `name`), made on its first login as Vault does. */
  entityFor(mount: string, aliasName: string): Entity {
    for (const entity of this.entities.values()) {
      if (entity.aliases.some((a) => a.mount === mount && a.name === aliasName)) return entity;
    }
    const id = randomUUID();
    const entity: Entity = {
      id,
      name: `entity_${id.slice(0, 8)}`,
      aliases: [{ mount, name: aliasName }],
      disabled: false,
    };
    this.entities.set(id, entity);
    return entity;
  }

  key(name: string): NamedKey | undefined {
    const found = this.keys.get(name);
    if (found !== "lazy-default") return found;
    const made = generateKey("default", "RS256", {
      verificationTtl: 86_400,
      rotationPeriod: 86_400,
      allowedClientIds: ["*"],
    });
    this.keys.set("default", made);
    return made;
  }

  clientById(clientId: string): OidcClient | undefined {
    for (const client of this.clients.values()) if (client.clientId === clientId) return client;
    return undefined;
  }

  /** Whether an entity may use a client (its assignments name it, or `allow_all`). */
  assigned(entity: Entity, client: OidcClient): boolean {
    if (entity.disabled) return false;
    return client.assignments.some((name) => {
      const assignment = this.assignments.get(name);
      if (!assignment) return false;
      return assignment.entityIds.includes("*") || assignment.entityIds.includes(entity.id);
    });
  }
}
