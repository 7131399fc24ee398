import type { EmulatorRequest, EmulatorResponse } from "../shared/index.js";
import { tokenOptionsFor } from "./auth-methods.js";
import { authorize } from "./oidc-provider.js";
import type { VaultState } from "./state.js";
import type { VaultToken } from "./tokens.js";

/** The cookie in which the emulated Vault UI keeps the signed-in token (the real UI uses local storage). */
export const UI_TOKEN_COOKIE = "vault-ui-token";

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(
  status: number,
  body: string,
  headers: Record<string, string> = {},
): EmulatorResponse {
  return {
    status,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      ...headers,
    },
    body: `<!doctype html><meta charset="utf-8"><title>Vault (emulator)</title>${body}`,
  };
}

/** The sign-in form, posting back to the same URL (the authorization request stays in the query). */
function loginForm(req: EmulatorRequest, status = 200, message = ""): EmulatorResponse {
  const action = escapeHtml(req.url.pathname + req.url.search);
  return page(
    status,
    `<h1>Sign in to Vault</h1>${message ? `<p role="alert">${escapeHtml(message)}</p>` : ""}
<form method="post" action="${action}">
<label>Method <select name="method"><option value="userpass">Username</option><option value="token">Token</option></select></label>
<label>Mount <input name="mount" value="userpass"></label>
<label>Username <input name="username" autocomplete="username"></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
<label>Token <input name="token" type="password"></label>
<button type="submit">Sign in</button>
</form>`,
  );
}

function cookieToken(req: EmulatorRequest): string | undefined {
  const header = req.headers.cookie;
  for (const part of (Array.isArray(header) ? header.join(";") : (header ?? "")).split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === UI_TOKEN_COOKIE) return decodeURIComponent(rest.join("="));
  }
  return undefined;
}

function headerToken(req: EmulatorRequest): string | undefined {
  const value = req.headers["x-vault-token"];
  return Array.isArray(value) ? value[0] : value;
}

function redirect(target: string, params: Record<string, string>, headers: Record<string, string>) {
  const url = new URL(target);
  for (const [key, value] of Object.entries(params)) {
    if (key === "state" && value === "") continue;
    url.searchParams.set(key, value);
  }
  return {
    status: 302,
    headers: { location: url.toString(), "cache-control": "no-store", ...headers },
    body: "",
  };
}

/** Log in from the form: userpass (username + password on a userpass mount) or a token. */
function formLogin(state: VaultState, form: URLSearchParams): VaultToken | string {
  if (form.get("method") === "token") {
    return state.tokens.valid(form.get("token") ?? "") ?? "permission denied";
  }
  const mount = (form.get("mount") || "userpass").replace(/^\/+|\/+$/g, "");
  const username = (form.get("username") ?? "").toLowerCase();
  if (state.auth.methodOf(mount) !== "userpass") return `no userpass auth method at ${mount}/`;
  const user = state.auth.user(mount, username, form.get("password") ?? "");
  if (!user) return "invalid username or password";
  return state.tokens.create({
    ...tokenOptionsFor(user),
    entityId: state.identity.entityFor(mount, user.username).id,
    displayName: `${mount}-${user.username}`,
    meta: { username: user.username },
    path: `auth/${mount}/login/${user.username}`,
  });
}

/**
 * `GET|POST /ui/vault[/<ns>]/identity/oidc/provider/<name>/authorize?…`: what the Vault UI does
 * for an OIDC provider. A browser already signed in (the UI cookie, or an `X-Vault-Token`
 * header) is sent on at once; otherwise it gets a sign-in form (userpass or token). Then the UI
 * calls the authorization endpoint with that token and redirects to `redirect_uri` with `code`
 * and `state`, or with `error`, `error_description` and `state` once the client's redirect URI
 * is known to be allowed; a bad client or redirect URI is an error page with no redirect.
 */
export function handleProviderUi(
  state: VaultState,
  req: EmulatorRequest,
  provider: string,
  namespace: string,
): EmulatorResponse {
  let token: VaultToken | undefined;
  const headers: Record<string, string> = {};
  if (req.method === "POST") {
    const form = new URLSearchParams(req.body.toString("utf8"));
    const login = formLogin(state, form);
    if (typeof login === "string") return loginForm(req, 400, login);
    token = login;
    headers["set-cookie"] =
      `${UI_TOKEN_COOKIE}=${encodeURIComponent(login.id)}; Path=/ui/; HttpOnly; SameSite=Lax`;
  } else {
    token = state.tokens.valid(headerToken(req) ?? cookieToken(req));
    if (!token) return loginForm(req);
  }
  if (
    !state.policies.allows(token.policies, `identity/oidc/provider/${provider}/authorize`, [
      "read",
      "update",
    ])
  ) {
    return loginForm(req, 403, "permission denied");
  }
  const params = Object.fromEntries(req.url.searchParams);
  const result = authorize(state, provider, namespace, token, params);
  if (result.status === 200) {
    return redirect(result.redirectUri as string, result.body, headers);
  }
  if (result.body.error === "max_age_violation") {
    return loginForm(req, 401, "active re-authentication is required by max_age");
  }
  if (!result.redirectUri) {
    return page(
      400,
      `<h1>Authorization failed</h1><p role="alert">${escapeHtml(`${result.body.error}: ${result.body.error_description}`)}</p>`,
      headers,
    );
  }
  return redirect(result.redirectUri, result.body, headers);
}
