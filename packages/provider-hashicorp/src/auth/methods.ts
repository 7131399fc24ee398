import type { AuthMethod } from "@vaultlink/core/plugin";

/** Default OIDC loopback port; Postman registers 10545 and 10534 as redirect URIs. */
export const OIDC_PORTS = [10545, 10534] as const;

const LOOPBACK_OPTIONS = (path: string): AuthMethod["options"] => [
  {
    name: "callbackPort",
    title: "Loopback callback port",
    type: "number",
    default: OIDC_PORTS[0],
    description: `Port of the local redirect http://127.0.0.1:<port>${path}; must be an allowed redirect URI. 10545 falls back to 10534 when busy.`,
  },
  {
    name: "openBrowser",
    title: "Open the browser",
    type: "boolean",
    default: true,
    description: "Open the sign-in page automatically (the URL is always printed too).",
  },
];

export const AUTH_METHODS: readonly AuthMethod[] = [
  {
    id: "oidc-provider",
    title: "Vault OIDC provider + JWT (Postman's setup)",
    description:
      "Postman's HashiCorp sign-in: Vault itself is the OpenID provider (identity/oidc/provider, a public client); the member signs in in the browser (authorization code + PKCE, redirect to http://127.0.0.1:10545/ or :10534/) and the ID token logs in to Vault's JWT auth method (default path postman-jwt, role postman).",
    interactive: true,
    options: LOOPBACK_OPTIONS("/"),
  },
  {
    id: "oidc",
    title: "OIDC auth method (browser sign-in via your identity provider)",
    description:
      "Vault's OIDC auth method with an outside identity provider (Okta, Entra ID, Google…), as `vault login -method=oidc` does. Not Postman's setup (that is oidc-provider).",
    interactive: true,
    options: LOOPBACK_OPTIONS("/oidc/callback"),
  },
  {
    id: "token",
    title: "Token",
    description: "A Vault token (hvs.…), for example from `vault login` or `vault token create`.",
    options: [
      {
        name: "token",
        title: "Vault token",
        type: "string",
        secret: true,
        required: true,
        env: "VAULT_TOKEN",
      },
    ],
  },
  {
    id: "approle",
    title: "AppRole",
    description:
      "Role ID and secret ID of an AppRole (machines, CI). They are kept encrypted so the provider can log in again when the token cannot be renewed.",
    options: [
      {
        name: "roleId",
        title: "Role ID",
        type: "string",
        secret: true,
        required: true,
        env: "VAULT_ROLE_ID",
      },
      {
        name: "secretId",
        title: "Secret ID",
        type: "string",
        secret: true,
        required: true,
        env: "VAULT_SECRET_ID",
      },
    ],
  },
  {
    id: "userpass",
    title: "Username and password",
    description: "Vault's userpass auth method.",
    options: [
      // Not `required`: on reauthentication the stored username is kept (checked in login.ts).
      { name: "username", title: "Username", type: "string" },
      { name: "password", title: "Password", type: "string", secret: true, required: true },
    ],
  },
  {
    id: "jwt",
    title: "JWT",
    description:
      "Log in with a JWT (from your identity provider or CI) to a role of Vault's JWT auth method.",
    options: [
      { name: "jwt", title: "JWT", type: "string", secret: true, required: true, env: "VAULT_JWT" },
    ],
  },
];

/** Postman's defaults for the Vault OIDC provider setup. */
export const POSTMAN_JWT_MOUNT = "postman-jwt";
export const POSTMAN_ROLE = "postman";

/** Where each method is mounted unless the `authMount` setting says otherwise. */
export function defaultMount(method: string): string {
  return method === "oidc-provider" ? POSTMAN_JWT_MOUNT : method;
}

/** The role a method uses unless the `role` setting says otherwise (undefined: the mount's default). */
export function defaultRole(method: string): string | undefined {
  return method === "oidc-provider" ? POSTMAN_ROLE : undefined;
}
