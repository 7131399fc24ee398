import { randomUUID } from "node:crypto";
import type { EmulatorRequest, EmulatorResponse } from "../shared/index.js";
import type { AuthorityKind, AzureIdentity } from "./identity.js";
import {
  DEVICE_CODE_TTL_SECONDS,
  resourceScopes,
  type UserGrant,
  userIdentity,
} from "./user-sign-in.js";

export const DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

/** An Entra ID OAuth error body, as the token and device-code endpoints send it. */
export function aadError(
  status: number,
  error: string,
  code: number,
  description: string,
): EmulatorResponse {
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${code}: ${description}\r\nTrace ID: ${randomUUID()}\r\nCorrelation ID: ${randomUUID()}\r\nTimestamp: ${new Date().toISOString()}`,
      error_codes: [code],
      timestamp: new Date().toISOString(),
      trace_id: randomUUID(),
      correlation_id: randomUUID(),
    },
  };
}

export function unknownTenant(tenant: string): EmulatorResponse {
  return aadError(
    400,
    "invalid_request",
    90002,
    `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
  );
}

export function unknownClient(clientId: string, tenant: string): EmulatorResponse {
  return aadError(
    400,
    "unauthorized_client",
    700016,
    `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
  );
}

/** An authority the emulator serves: its own tenant id, or one of the multi-tenant aliases. */
export type KnownAuthority = Exclude<AuthorityKind, "unknown">;

/**
 * Answer a request at the authority `tenant` names, or with AADSTS90002 when the emulator does
 * not serve that tenant.
 */
export function atAuthority(
  identity: AzureIdentity,
  tenant: string,
  answer: (kind: KnownAuthority) => EmulatorResponse,
): EmulatorResponse {
  const kind = identity.authorityOf(tenant);
  if (kind === "unknown") return unknownTenant(tenant);
  return answer(kind);
}

/** As `atAuthority`, for a POST endpoint: `answer` gets the request's form body too. */
export function formAtAuthority(
  identity: AzureIdentity,
  tenant: string,
  req: EmulatorRequest,
  answer: (kind: KnownAuthority, form: URLSearchParams) => EmulatorResponse,
): EmulatorResponse {
  return atAuthority(identity, tenant, (kind) =>
    answer(kind, new URLSearchParams(req.body.toString("utf8"))),
  );
}

/**
 * A public client asked for at `/consumers`: the emulated directory holds work accounts only,
 * and its apps are registered for them, so Entra ID refuses the personal-account authority.
 */
export function workAccountsOnly(clientId: string): EmulatorResponse {
  return aadError(400, "invalid_request", 9002332, workAccountsOnlyText(clientId));
}

function workAccountsOnlyText(clientId: string): string {
  return `Application '${clientId}' is configured for use by Microsoft Entra ID (work or school) accounts only. Do not use the /consumers endpoint for this request.`;
}

/**
 * An app-only grant (client secret or assertion) at `/common` or `/organizations`: with no user
 * signing in, nothing says which tenant the app is in.
 */
export function noTenantForApp(): EmulatorResponse {
  return aadError(
    400,
    "invalid_request",
    50059,
    "No tenant-identifying information found in either the request or implied by any provided credentials. Sign the application in at a tenant-specific endpoint.",
  );
}

/** Entra ID's sign-in page shows errors it cannot send back to the app (no trusted redirect). */
function errorPage(code: number, description: string): EmulatorResponse {
  return {
    status: 400,
    headers: { "content-type": "text/html; charset=utf-8" },
    body: `<!DOCTYPE html><html><head><title>Sign in to your account</title></head><body><h1>Sorry, but we're having trouble signing you in.</h1><p>AADSTS${code}: ${escapeHtml(description)}</p></body></html>`,
  };
}

/**
 * Entra ID's answer for response_mode=form_post: an HTML page with a form of hidden fields that
 * its script posts to the redirect URI as soon as it loads.
 */
function formPostPage(action: string, fields: Record<string, string>): EmulatorResponse {
  const inputs = Object.entries(fields)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}" />`)
    .join("");
  return {
    status: 200,
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
    body: `<!DOCTYPE html><html><head><title>Working...</title></head><body><form method="POST" name="hiddenform" action="${escapeHtml(action)}">${inputs}<noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit" /></noscript></form><script>document.forms[0].submit();</script></body></html>`,
  };
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string,
  );
}

/** Plain-http loopback redirect URIs, any port: what Entra ID allows public clients. */
function isLoopbackRedirect(uri: string): boolean {
  try {
    const url = new URL(uri);
    return (
      url.protocol === "http:" &&
      ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname) &&
      url.hash === ""
    );
  } catch {
    return false;
  }
}

/** A base64url S256 challenge of a 32-byte digest. */
const CODE_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/**
 * GET /<tenant>/oauth2/v2.0/authorize: the browser step of the authorization-code flow. The
 * emulated browser session is already signed in (as `login_hint`, or the first user), so a good
 * request is answered at once with a 302 to the app's loopback redirect carrying the code (or, for
 * response_mode=form_post, a page that posts it there), and
 * `state` unchanged when the app sent one (Entra ID does not require it, and MSAL node's
 * loopback flow sends none: the loopback server is its own request's only listener).
 */
export function handleAuthorize(
  identity: AzureIdentity,
  tenant: string,
  req: EmulatorRequest,
): EmulatorResponse {
  const q = req.url.searchParams;
  const kind = identity.authorityOf(tenant);
  if (kind === "unknown") {
    return errorPage(90002, `Tenant '${tenant}' not found.`);
  }
  const clientId = q.get("client_id") ?? "";
  if (!identity.users.isPublicClient(clientId)) {
    return errorPage(
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${identity.tenantId}'.`,
    );
  }
  if (kind === "consumers") return errorPage(9002332, workAccountsOnlyText(clientId));
  const redirectUri = q.get("redirect_uri") ?? "";
  if (!isLoopbackRedirect(redirectUri)) {
    return errorPage(
      50011,
      `The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${clientId}'. The emulator accepts loopback http redirects (http://localhost:<port>) only.`,
    );
  }
  const state = q.get("state");
  const mode = q.get("response_mode") ?? "query";
  const back = (params: Record<string, string>): EmulatorResponse => {
    const fields: Record<string, string> = { ...params, ...(state !== null ? { state } : {}) };
    // form_post (what MSAL node 7+ asks for): a page whose form the browser posts at once.
    if (mode === "form_post") return formPostPage(redirectUri, fields);
    const target = new URL(redirectUri);
    for (const [k, v] of Object.entries(fields)) target.searchParams.set(k, v);
    return { status: 302, headers: { location: target.toString() } };
  };
  const refuse = (error: string, code: number, description: string) =>
    back({ error, error_description: `AADSTS${code}: ${description}` });

  if (q.get("response_type") !== "code") {
    return refuse(
      "unsupported_response_type",
      700054,
      `response_type '${q.get("response_type") ?? ""}' is not enabled for the application.`,
    );
  }
  if (mode !== "query" && mode !== "form_post") {
    return refuse(
      "invalid_request",
      900144,
      `The emulator answers response_mode=query or form_post only.`,
    );
  }
  const challenge = q.get("code_challenge") ?? "";
  if (q.get("code_challenge_method") !== "S256" || !CODE_CHALLENGE.test(challenge)) {
    return refuse(
      "invalid_request",
      9002325,
      "Proof Key for Code Exchange is required: send an S256 code_challenge.",
    );
  }
  const scope = q.get("scope") ?? "";
  if (resourceScopes(scope) === "") {
    return refuse(
      "invalid_request",
      900144,
      "The request body must contain the following parameter: 'scope'.",
    );
  }
  const hint = q.get("login_hint") ?? undefined;
  const user = identity.users.user(hint);
  if (!user) {
    return refuse(
      "invalid_request",
      50034,
      `The user account ${hint} does not exist in the ${identity.tenantId} directory.`,
    );
  }
  const nonce = q.get("nonce");
  const code = identity.users.issueCode(
    { clientId, scope, user, ...(nonce ? { nonce } : {}) },
    { redirectUri, codeChallenge: challenge },
  );
  const params: Record<string, string> = { code, session_state: randomUUID() };
  if (q.get("client_info") === "1") {
    // The user's home tenant, whichever authority (tenant id, organizations, common) was asked.
    params.client_info = Buffer.from(
      JSON.stringify({ uid: user.objectId, utid: identity.tenantId }),
    ).toString("base64url");
  }
  return back(params);
}

/** POST /<tenant>/oauth2/v2.0/devicecode: start a device-code sign-in. */
export function handleDeviceCode(
  identity: AzureIdentity,
  tenant: string,
  req: EmulatorRequest,
): EmulatorResponse {
  return formAtAuthority(identity, tenant, req, (kind, form) => {
    const clientId = form.get("client_id") ?? "";
    if (!identity.users.isPublicClient(clientId)) return unknownClient(clientId, identity.tenantId);
    if (kind === "consumers") return workAccountsOnly(clientId);
    const scope = form.get("scope") ?? "";
    if (resourceScopes(scope) === "") {
      return aadError(
        400,
        "invalid_request",
        900144,
        "The request body must contain the following parameter: 'scope'.",
      );
    }
    const { deviceCode, userCode } = identity.users.startDevice(
      clientId,
      scope,
      Date.now(),
      kind === "tenant" ? tenant : kind,
    );
    const verificationUri = `${req.url.origin}/devicelogin`;
    return {
      status: 200,
      body: {
        user_code: userCode,
        device_code: deviceCode,
        verification_uri: verificationUri,
        expires_in: DEVICE_CODE_TTL_SECONDS,
        interval: identity.users.deviceCodeIntervalSeconds,
        message: `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${userCode} to authenticate.`,
      },
    };
  });
}

/** GET /devicelogin: where the device-code message sends people. */
export function handleDeviceLogin(): EmulatorResponse {
  return {
    status: 200,
    headers: { "content-type": "text/plain; charset=utf-8" },
    body: 'Emulated device login. Approve a code with POST /__emulator/approve-device-code {"userCode": "..."} (or decline it with /__emulator/decline-device-code).\n',
  };
}

/** The device-code grant at the token endpoint: pending until the user approves. */
export function redeemDeviceCode(
  identity: AzureIdentity,
  form: URLSearchParams,
  origin: string,
): EmulatorResponse {
  const clientId = form.get("client_id") ?? "";
  const poll = identity.users.pollDevice(form.get("device_code") ?? "", clientId);
  switch (poll.kind) {
    case "pending":
      return aadError(
        400,
        "authorization_pending",
        70016,
        "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
      );
    case "declined":
      return aadError(
        400,
        "authorization_declined",
        70000,
        "The user declined the device-code sign-in.",
      );
    case "expired":
      return aadError(400, "expired_token", 70019, "Verification code expired.");
    case "unknown":
    case "wrong-client":
      return aadError(
        400,
        "bad_verification_code",
        70000,
        "The provided value for the 'device_code' is not valid.",
      );
    case "redeemed":
      return aadError(
        400,
        "invalid_grant",
        70000,
        "The provided value for the 'device_code' has already been used.",
      );
    case "granted":
      return userToken(identity, poll.grant, origin);
  }
}

/** The authorization-code grant at the token endpoint, with the PKCE verifier checked. */
export function redeemAuthorizationCode(
  identity: AzureIdentity,
  form: URLSearchParams,
  origin: string,
): EmulatorResponse {
  const redeemed = identity.users.redeemCode(form.get("code") ?? "", {
    clientId: form.get("client_id") ?? "",
    redirectUri: form.get("redirect_uri") ?? "",
    codeVerifier: form.get("code_verifier"),
  });
  const invalid = (code: number, description: string) =>
    aadError(400, "invalid_grant", code, description);
  switch (redeemed.kind) {
    case "unknown":
      return invalid(9002313, "Invalid request. The authorization code is malformed or invalid.");
    case "redeemed":
      return invalid(
        54005,
        "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
      );
    case "expired":
      return invalid(70008, "The provided authorization code or refresh token has expired.");
    case "wrong-client":
      return invalid(70000, "The authorization code was issued to another application.");
    case "wrong-redirect":
      return invalid(
        500117,
        "The reply uri specified in the request does not match the one the authorization code was issued for.",
      );
    case "missing-verifier":
      return aadError(
        400,
        "invalid_request",
        900144,
        "The request body must contain the following parameter: 'code_verifier'.",
      );
    case "wrong-verifier":
      return invalid(
        501481,
        "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
      );
    case "granted":
      return userToken(identity, redeemed.grant, origin);
  }
}

/**
 * A user's token response: access token plus the id_token and client_info MSAL needs. Whatever
 * authority the user signed in at (tenant id, `organizations`, `common`), the token names the
 * account's home tenant (`tid`, `utid`), as Entra ID does: MSAL files the account and the token
 * under that tenant, so later silent requests for the tenant find them.
 */
function userToken(identity: AzureIdentity, grant: UserGrant, origin: string): EmulatorResponse {
  const issued = identity.issue(grant.clientId);
  const { idToken, clientInfo } = userIdentity(grant, identity.tenantId, origin, issued.expiresIn);
  return {
    status: 200,
    body: {
      token_type: "Bearer",
      scope: resourceScopes(grant.scope),
      expires_in: issued.expiresIn,
      ext_expires_in: issued.expiresIn,
      access_token: issued.token,
      id_token: idToken,
      client_info: clientInfo,
    },
  };
}
