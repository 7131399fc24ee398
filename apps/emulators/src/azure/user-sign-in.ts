import { createHash, randomBytes, randomUUID } from "node:crypto";

/** A work account in the emulated directory, who may sign in through a public client. */
export interface DirectoryUser {
  /** The sign-in name (UPN), e.g. ada@contoso.test: the id_token's preferred_username. */
  username: string;
  /** Display name. Default: the username. */
  name?: string;
  /** Object id (the id_token's oid). Default: derived from the username. */
  objectId?: string;
}

/** The account tests sign in as unless they name another. */
export const DEFAULT_USER: DirectoryUser = {
  username: "ada@contoso.test",
  name: "Ada Lovelace",
  objectId: "a0a0a0a0-0000-4000-8000-00000000ada0",
};

/**
 * The public client @azure/identity signs users in through when no client id is given (the
 * Azure CLI's first-party app, present in every tenant).
 */
export const AZURE_DEVELOPER_CLIENT_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";

/** What a sign-in (code or device) grants once redeemed. */
export interface UserGrant {
  clientId: string;
  scope: string;
  user: Required<DirectoryUser>;
  nonce?: string;
}

interface AuthorizationCode extends UserGrant {
  redirectUri: string;
  codeChallenge: string;
  expiresAt: number;
  redeemed: boolean;
}

export type DeviceCodeStatus = "pending" | "approved" | "declined" | "redeemed";

interface DeviceCode {
  clientId: string;
  scope: string;
  /** The authority's tenant segment the code was asked for at (tenant id, organizations…). */
  authority: string;
  userCode: string;
  expiresAt: number;
  status: DeviceCodeStatus;
  /** Token requests made while the code was still pending. */
  polls: number;
  user?: Required<DirectoryUser>;
}

/** What the token endpoint should do with a device-code grant. */
export type DevicePoll =
  | { kind: "unknown" }
  | { kind: "wrong-client" }
  | { kind: "expired" }
  | { kind: "pending" }
  | { kind: "declined" }
  | { kind: "redeemed" }
  | { kind: "granted"; grant: UserGrant };

/** What the token endpoint should do with an authorization-code grant. */
export type CodeRedemption =
  | { kind: "unknown" }
  | { kind: "redeemed" }
  | { kind: "expired" }
  | { kind: "wrong-client" }
  | { kind: "wrong-redirect" }
  | { kind: "missing-verifier" }
  | { kind: "wrong-verifier" }
  | { kind: "granted"; grant: UserGrant };

const CODE_TTL_MS = 10 * 60 * 1000;
export const DEVICE_CODE_TTL_SECONDS = 900;
/** Letters and digits a person can type without confusing them (no 0/O, 1/I/L). */
const USER_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

function complete(user: DirectoryUser): Required<DirectoryUser> {
  const digest = createHash("sha256").update(user.username.toLowerCase()).digest("hex");
  const objectId =
    user.objectId ??
    `${digest.slice(0, 8)}-${digest.slice(8, 12)}-4${digest.slice(13, 16)}-8${digest.slice(17, 20)}-${digest.slice(20, 32)}`;
  return { username: user.username, name: user.name ?? user.username, objectId };
}

/** `S256` code challenge of a PKCE verifier (RFC 7636 §4.2). */
export function s256(verifier: string): string {
  return createHash("sha256").update(verifier, "ascii").digest("base64url");
}

/**
 * The user side of Entra ID: users, the public clients they sign in through, and the
 * authorization codes and device codes waiting to be redeemed.
 */
export class UserSignIns {
  #users = new Map<string, Required<DirectoryUser>>();
  #publicClients = new Set<string>();
  #codes = new Map<string, AuthorizationCode>();
  #devices = new Map<string, DeviceCode>();
  #initialUsers: DirectoryUser[];
  #initialClients: string[];
  #initialInterval: number;
  /** Seconds a device-code client is told to wait between polls. */
  deviceCodeIntervalSeconds: number;

  constructor(options: {
    users?: DirectoryUser[];
    publicClients?: string[];
    deviceCodeIntervalSeconds?: number;
  }) {
    this.#initialUsers = [...(options.users ?? [DEFAULT_USER])];
    this.#initialClients = [...(options.publicClients ?? [AZURE_DEVELOPER_CLIENT_ID])];
    this.#initialInterval = options.deviceCodeIntervalSeconds ?? 5;
    this.deviceCodeIntervalSeconds = this.#initialInterval;
    this.reset();
  }

  addUser(user: DirectoryUser): void {
    this.#users.set(user.username.toLowerCase(), complete(user));
  }

  addPublicClient(clientId: string): void {
    this.#publicClients.add(clientId);
  }

  isPublicClient(clientId: string): boolean {
    return this.#publicClients.has(clientId);
  }

  /** A user by sign-in name, or the first user when no name is given. */
  user(username?: string): Required<DirectoryUser> | undefined {
    if (username === undefined || username === "") return this.#users.values().next().value;
    return this.#users.get(username.toLowerCase());
  }

  /** Remember a code the authorize endpoint hands out; returns the code. */
  issueCode(
    grant: UserGrant,
    request: { redirectUri: string; codeChallenge: string },
    now = Date.now(),
  ): string {
    const code = `emu-code.${randomBytes(32).toString("base64url")}`;
    this.#codes.set(code, {
      ...grant,
      ...request,
      expiresAt: now + CODE_TTL_MS,
      redeemed: false,
    });
    return code;
  }

  /** Redeem an authorization code: once, by the client it was issued to, with its verifier. */
  redeemCode(
    code: string,
    request: { clientId: string; redirectUri: string; codeVerifier: string | null },
    now = Date.now(),
  ): CodeRedemption {
    const issued = this.#codes.get(code);
    if (!issued) return { kind: "unknown" };
    if (issued.redeemed) return { kind: "redeemed" };
    // A code is good for one attempt, right or wrong, as in Entra ID.
    issued.redeemed = true;
    if (issued.expiresAt <= now) return { kind: "expired" };
    if (issued.clientId !== request.clientId) return { kind: "wrong-client" };
    if (issued.redirectUri !== request.redirectUri) return { kind: "wrong-redirect" };
    if (!request.codeVerifier) return { kind: "missing-verifier" };
    if (s256(request.codeVerifier) !== issued.codeChallenge) return { kind: "wrong-verifier" };
    const { clientId, scope, user, nonce } = issued;
    return { kind: "granted", grant: { clientId, scope, user, ...(nonce ? { nonce } : {}) } };
  }

  /** Start a device-code sign-in, asked for at `authority` (tenant id, organizations, common). */
  startDevice(
    clientId: string,
    scope: string,
    now = Date.now(),
    authority = "",
  ): { deviceCode: string; userCode: string } {
    const deviceCode = `emu-device.${randomBytes(32).toString("base64url")}`;
    let userCode = "";
    const bytes = randomBytes(9);
    for (const b of bytes) userCode += USER_CODE_ALPHABET[b % USER_CODE_ALPHABET.length];
    this.#devices.set(deviceCode, {
      clientId,
      scope,
      authority,
      userCode,
      expiresAt: now + DEVICE_CODE_TTL_SECONDS * 1000,
      status: "pending",
      polls: 0,
    });
    return { deviceCode, userCode };
  }

  #byUserCode(userCode: string): DeviceCode {
    const wanted = userCode.trim().toUpperCase();
    for (const d of this.#devices.values()) if (d.userCode === wanted) return d;
    throw new Error(`no device sign-in waits for the code ${userCode}`);
  }

  /** The user entered the code and signed in (or, with `approve: false`, said no). */
  answerDevice(userCode: string, approve: boolean, username?: string): void {
    const device = this.#byUserCode(userCode);
    if (device.status !== "pending") throw new Error(`the code ${userCode} is ${device.status}`);
    if (!approve) {
      device.status = "declined";
      return;
    }
    const user = this.user(username);
    if (!user) throw new Error(`no user ${username ?? ""} in the emulated directory`);
    device.user = user;
    device.status = "approved";
  }

  /** Where a device sign-in stands, by its user code, and the authority it was started at. */
  deviceStatus(userCode: string): { status: DeviceCodeStatus; polls: number; authority: string } {
    const device = this.#byUserCode(userCode);
    return { status: device.status, polls: device.polls, authority: device.authority };
  }

  /** One poll of the token endpoint with a device code. */
  pollDevice(deviceCode: string, clientId: string, now = Date.now()): DevicePoll {
    const device = this.#devices.get(deviceCode);
    if (!device) return { kind: "unknown" };
    if (device.clientId !== clientId) return { kind: "wrong-client" };
    if (device.status === "redeemed") return { kind: "redeemed" };
    if (device.status === "declined") return { kind: "declined" };
    if (device.expiresAt <= now) return { kind: "expired" };
    if (device.status === "pending" || !device.user) {
      device.polls += 1;
      return { kind: "pending" };
    }
    device.status = "redeemed";
    return {
      kind: "granted",
      grant: { clientId: device.clientId, scope: device.scope, user: device.user },
    };
  }

  /** Back to the configured users, clients and interval; pending codes are dropped. */
  reset(): void {
    this.#users.clear();
    this.#publicClients.clear();
    this.#codes.clear();
    this.#devices.clear();
    this.deviceCodeIntervalSeconds = this.#initialInterval;
    for (const u of this.#initialUsers) this.addUser(u);
    for (const c of this.#initialClients) this.addPublicClient(c);
  }
}

/** base64url JSON, as in a JWT part and MSAL's client_info. */
export function encodeJsonPart(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

/**
 * The id_token and client_info MSAL builds its account from. The id_token is unsigned
 * (`alg: none`): MSAL only decodes it, and tests must not trust it for anything else.
 */
export function userIdentity(
  grant: UserGrant,
  tenant: string,
  issuerBase: string,
  ttlSeconds: number,
): { idToken: string; clientInfo: string } {
  const now = Math.floor(Date.now() / 1000);
  const { user } = grant;
  const claims = {
    aud: grant.clientId,
    iss: `${issuerBase}/${tenant}/v2.0`,
    iat: now,
    nbf: now,
    exp: now + ttlSeconds,
    name: user.name,
    oid: user.objectId,
    preferred_username: user.username,
    // Pairwise: the same user has another subject in another app, as in Entra ID.
    sub: createHash("sha256")
      .update(`${user.objectId}:${grant.clientId}`)
      .digest("base64url")
      .slice(0, 43),
    tid: tenant,
    uti: randomUUID().replaceAll("-", ""),
    ver: "2.0",
    ...(grant.nonce ? { nonce: grant.nonce } : {}),
  };
  return {
    idToken: `${encodeJsonPart({ typ: "JWT", alg: "none" })}.${encodeJsonPart(claims)}.`,
    clientInfo: encodeJsonPart({ uid: user.objectId, utid: tenant }),
  };
}

/** The scopes a token is for, without the OpenID Connect ones (as Entra ID answers). */
export function resourceScopes(scope: string): string {
  const oidc = new Set(["openid", "profile", "offline_access", "email"]);
  return scope
    .split(/\s+/)
    .filter((s) => s !== "" && !oidc.has(s))
    .join(" ");
}
