import { createHash, randomBytes } from "node:crypto";
import type { EmulatorRequest, EmulatorResponse } from "../shared/index.js";
import { type OidcUser, tokenOptionsFor } from "./auth-methods.js";
import { jsonBody } from "./body.js";
import { envelope, ok, vaultError } from "./envelope.js";
import { userFromClaims } from "./jwt-verify.js";
import { IDP_AUTHORIZE_PATH } from "./route.js";
import type { VaultState } from "./state.js";

/** How long an auth_url's state stays usable (Vault: 10 minutes). */
export const OIDC_STATE_TTL_MS = 10 * 60_000;

/** The client id Vault presents to the emulated identity provider. */
export const OIDC_CLIENT_ID = "vault-emulator";

const LOGIN_FAILED = "Vault login failed.";

/** What the emulated identity provider does when the browser reaches its sign-in page. */
export interface OidcSignInChoice {
  /** Auth mount, default "oidc". */
  mount?: string;
  /** `sub` of the user who signs in; default the mount's first user (a `login_hint` wins). */
  user?: string;
  /** The person declines: redirect with `error` instead of a code. */
  deny?: boolean;
  /** Error code of a denial; default "access_denied". */
  error?: string;
  /** `error_description` of a denial; default "The user denied the request". */
  errorDescription?: string;
}

interface PendingSignIn {
  mount: string;
  role: string;
  redirectUri: string;
  clientNonce: string;
  nonce: string;
  createdAt: number;
  /** Set when the identity provider has redirected back with a code. */
  code?: string;
  user?: OidcUser;
}

const randomHex = (bytes: number) => randomBytes(bytes).toString("hex");

/** OIDC sign-ins in flight (by state) and each mount's sign-in choice. */
export class OidcFlows {
  #pending = new Map<string, PendingSignIn>();
  #choices = new Map<string, OidcSignInChoice>();

  clear(): void {
    this.#pending.clear();
    this.#choices.clear();
  }

  start(entry: Omit<PendingSignIn, "nonce">): string {
    const state = randomHex(20);
    this.#pending.set(state, { ...entry, nonce: randomHex(20) });
    return state;
  }

  /** A sign-in still usable at `now`. */
  get(state: string, now: number): PendingSignIn | undefined {
    const entry = this.#pending.get(state);
    if (!entry) return undefined;
    if (now - entry.createdAt >= OIDC_STATE_TTL_MS) {
      this.#pending.delete(state);
      return undefined;
    }
    return entry;
  }

  /** Like get, but the state can never be used again (Vault deletes it at the callback). */
  take(state: string, now: number): PendingSignIn | undefined {
    const entry = this.get(state, now);
    this.#pending.delete(state);
    return entry;
  }

  choose(choice: OidcSignInChoice): void {
    this.#choices.set(choice.mount ?? "oidc", choice);
  }

  choiceFor(mount: string): OidcSignInChoice {
    return this.#choices.get(mount) ?? {};
  }
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);

/**
 * Vault's redirect check: a loopback redirect URI matches an allowed one whatever its port
 * (RFC 8252 §7.3); any other must equal an allowed URI (case-insensitively).
 */
export function redirectAllowed(uri: string, allowed: readonly string[]): boolean {
  let input: URL;
  try {
    input = new URL(uri);
  } catch {
    return false;
  }
  if (!LOOPBACK.has(input.hostname)) {
    return allowed.some((a) => a.toLowerCase() === uri.toLowerCase());
  }
  input.port = "";
  return allowed.some((a) => {
    try {
      const candidate = new URL(a);
      candidate.port = "";
      return candidate.href === input.href;
    } catch {
      return false;
    }
  });
}

/** `PUT/POST auth/<mount>/oidc/auth_url` {role?, redirect_uri, client_nonce?}. */
export function handleAuthUrl(
  state: VaultState,
  mount: string,
  req: EmulatorRequest,
): EmulatorResponse {
  const body = jsonBody(req);
  const config = state.auth.jwtMount(mount);
  if (!config.oidc) return vaultError(400, "OIDC login is not configured for this mount");
  const roleName =
    typeof body.role === "string" && body.role !== "" ? body.role : config.defaultRole;
  if (!roleName) return vaultError(400, "missing role");
  const role = state.auth.jwtRole(mount, roleName);
  if (!role) return vaultError(400, `role "${roleName}" could not be found`);
  const redirectUri = typeof body.redirect_uri === "string" ? body.redirect_uri : "";
  if (redirectUri === "") return vaultError(400, "missing redirect_uri");
  // Vault answers a redirect URI the role does not allow (or a non-OIDC role) with an empty
  // auth_url rather than an error: the endpoint needs no token, so it stays non-descriptive.
  const empty = ok(envelope({ auth_url: "" }));
  if (role.roleType !== "oidc" || !redirectAllowed(redirectUri, role.allowedRedirectUris)) {
    return empty;
  }
  const now = state.clock.now();
  const stateId = state.oidc.start({
    mount,
    role: roleName,
    redirectUri,
    clientNonce: typeof body.client_nonce === "string" ? body.client_nonce : "",
    createdAt: now,
  });
  const pending = state.oidc.get(stateId, now) as PendingSignIn;
  const authUrl = new URL(IDP_AUTHORIZE_PATH, req.url.origin);
  const challenge = createHash("sha256").update(randomHex(32)).digest("base64url");
  authUrl.search = new URLSearchParams({
    client_id: OIDC_CLIENT_ID,
    code_challenge: challenge,
    code_challenge_method: "S256",
    nonce: pending.nonce,
    redirect_uri: redirectUri,
    response_type: "code",
    scope: "openid",
    state: stateId,
  }).toString();
  return ok(envelope({ auth_url: authUrl.toString() }));
}

const page = (status: number, text: string): EmulatorResponse => ({
  status,
  headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
  body: `<!doctype html><meta charset="utf-8"><title>Emulated identity provider</title><p>${text}</p>`,
});

function redirectTo(redirectUri: string, params: Record<string, string>): EmulatorResponse {
  const target = new URL(redirectUri);
  for (const [key, value] of Object.entries(params)) target.searchParams.set(key, value);
  return {
    status: 302,
    headers: { location: target.toString(), "cache-control": "no-store" },
    body: "",
  };
}

/**
 * `GET /idp/authorize?…`: the identity provider's sign-in page. It signs the chosen user in at
 * once (or refuses, as chosen) and sends the browser back to redirect_uri with code and state
 * (or error and error_description).
 */
export function handleAuthorize(state: VaultState, req: EmulatorRequest): EmulatorResponse {
  const query = req.url.searchParams;
  const stateId = query.get("state") ?? "";
  const pending = state.oidc.get(stateId, state.clock.now());
  // Like a real provider, never redirect to a URI it cannot vouch for.
  if (
    !pending ||
    query.get("client_id") !== OIDC_CLIENT_ID ||
    query.get("redirect_uri") !== pending.redirectUri
  ) {
    return page(400, "invalid_request: unknown or expired authorization request");
  }
  const choice = state.oidc.choiceFor(pending.mount);
  if (choice.deny) {
    return redirectTo(pending.redirectUri, {
      error: choice.error ?? "access_denied",
      error_description: choice.errorDescription ?? "The user denied the request",
      state: stateId,
    });
  }
  const users = state.auth.jwtMount(pending.mount).users;
  const wanted = query.get("login_hint") || choice.user || users.keys().next().value;
  const user = wanted === undefined ? undefined : users.get(wanted);
  if (!user) {
    return redirectTo(pending.redirectUri, {
      error: "access_denied",
      error_description: wanted === undefined ? "no user can sign in" : "unknown user",
      state: stateId,
    });
  }
  pending.code = randomHex(16);
  pending.user = user;
  return redirectTo(pending.redirectUri, { code: pending.code, state: stateId });
}

/** `GET auth/<mount>/oidc/callback?state&code&client_nonce`: trade the code for a token. */
export function handleCallback(
  state: VaultState,
  mount: string,
  req: EmulatorRequest,
  apiPath: string,
): EmulatorResponse {
  const query = req.url.searchParams;
  const failed = (reason: string) => vaultError(400, `${LOGIN_FAILED} ${reason}`);
  const pending = state.oidc.take(query.get("state") ?? "", state.clock.now());
  if (!pending || pending.mount !== mount) return failed("Expired or missing OAuth state.");
  const role = state.auth.jwtRole(mount, pending.role);
  if (role?.roleType !== "oidc") return failed("Role could not be found");
  const description = query.get("error_description");
  if (description) return failed(description);
  if (pending.clientNonce !== "" && query.get("client_nonce") !== pending.clientNonce) {
    return vaultError(400, "invalid client_nonce");
  }
  const code = query.get("code") ?? "";
  if (code === "") {
    return query.get("id_token")
      ? vaultError(400, "Token verification failed. The emulator issues codes, not ID tokens.")
      : failed("No code or id_token received.");
  }
  if (pending.code === undefined || code !== pending.code || !pending.user) {
    return failed(
      'Error exchanging oidc code: "Provider.Exchange: unable to exchange auth code with provider: oauth2: \\"invalid_grant\\"".',
    );
  }
  const claims = { ...(pending.user.claims ?? {}), sub: pending.user.sub };
  const identity = userFromClaims(claims, role.userClaim ?? "sub");
  if (typeof identity === "string") return failed(identity);
  const token = state.tokens.create({
    ...tokenOptionsFor(role),
    entityId: state.identity.entityFor(mount, identity.user).id,
    displayName: `${mount}-${identity.user}`,
    meta: { role: pending.role },
    path: apiPath.replace(/\/+$/, ""),
  });
  return ok(envelope(null, { auth: state.tokens.authBlock(token) }));
}
