import type { AuthMethod } from "@vaultlink/core/plugin";

/** Default OIDC loopback port; Postman registers 10545 and 10534 as redirect URIs. */
export const OIDC_PORTS = [10545, 10534] as const;

export const AUTH_METHODS: readonly AuthMethod[] = [
  {
    id: "oidc",
    title: "OIDC (browser sign-in)",
    description:
      "Each member signs in through Vault's OIDC auth method in the browser, as `vault login -method=oidc` does.",
    interactive: true,
    options: [
      {
        name: "callbackPort",
        title: "Loopback callback port",
        type: "number",
        default: OIDC_PORTS[0],
        description:
          "Port of the local callback http://127.0.0.1:<port>/oidc/callback; must be an allowed redirect URI of the role. 10545 falls back to 10534 when busy.",
      },
      {
        name: "openBrowser",
        title: "Open the browser",
        type: "boolean",
        default: true,
        description: "Open the sign-in page automatically (the URL is always printed too).",
      },
    ],
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

/** Where each method is mounted unless the `authMount` setting says otherwise. */
export function defaultMount(method: string): string {
  return method;
}
