import type { AuthMethod, OptionSpec } from "@vaultlink/core/plugin";

export type AuthMethodId =
  | "interactive-browser"
  | "device-code"
  | "client-secret"
  | "client-certificate"
  | "managed-identity"
  | "azure-cli"
  | "workload-identity";

const tenantId = (required: boolean, description: string): OptionSpec => ({
  name: "tenantId",
  title: "Tenant (directory) ID",
  type: "string",
  env: "AZURE_TENANT_ID",
  ...(required ? { required: true } : {}),
  description,
});

const clientId = (required: boolean, description: string): OptionSpec => ({
  name: "clientId",
  title: "Application (client) ID",
  type: "string",
  env: "AZURE_CLIENT_ID",
  ...(required ? { required: true } : {}),
  description,
});

const USER_TENANT =
  "Directory to sign in to. Default: organizations (any work or school account); set it when your account is a guest in the vault's tenant.";
const PUBLIC_APP =
  "App registration users sign in through (a public client with the Azure Key Vault user_impersonation permission). Default: the Azure development application, for trying things out only.";

/** Sign-in methods, in the order a host offers them. Every one goes through @azure/identity. */
export const AUTH_METHODS: readonly (AuthMethod & { id: AuthMethodId })[] = [
  {
    id: "interactive-browser",
    title: "Sign in with a browser",
    description:
      "Authorization code with PKCE and a loopback redirect to this machine. Stores the access token; sign in again when it expires (about an hour).",
    interactive: true,
    options: [
      tenantId(false, USER_TENANT),
      clientId(false, PUBLIC_APP),
      {
        name: "loginHint",
        title: "Account to sign in as",
        type: "string",
        description: "Pre-selects the account (user@contoso.com).",
      },
      {
        name: "redirectUri",
        title: "Redirect URI",
        type: "string",
        description: "Loopback redirect registered on the app. Default: http://localhost.",
      },
    ],
  },
  {
    id: "device-code",
    title: "Sign in with a device code",
    description:
      "For machines without a browser: shows a code to enter at microsoft.com/devicelogin on another device. Stores the access token; sign in again when it expires.",
    interactive: true,
    options: [tenantId(false, USER_TENANT), clientId(false, PUBLIC_APP)],
  },
  {
    id: "client-secret",
    title: "Service principal with a client secret",
    description:
      "An app registration's client secret. The secret is stored encrypted and new tokens are fetched as needed.",
    options: [
      tenantId(true, "Directory of the app registration."),
      clientId(true, "The app registration's Application (client) ID."),
      {
        name: "clientSecret",
        title: "Client secret value",
        type: "string",
        secret: true,
        required: true,
        env: "AZURE_CLIENT_SECRET",
        description: "The secret's Value (not its Secret ID), from Certificates & secrets.",
      },
    ],
  },
  {
    id: "client-certificate",
    title: "Service principal with a certificate",
    description:
      "An app registration's certificate (PEM with the private key), given as a file path or its content. New tokens are fetched as needed.",
    options: [
      tenantId(true, "Directory of the app registration."),
      clientId(true, "The app registration's Application (client) ID."),
      {
        name: "certificatePath",
        title: "Certificate file (PEM)",
        type: "string",
        env: "AZURE_CLIENT_CERTIFICATE_PATH",
        description:
          "PEM file holding the certificate and its private key. Read at every sign-in; give this or certificate.",
      },
      {
        name: "certificate",
        title: "Certificate (PEM text)",
        type: "string",
        secret: true,
        description:
          "PEM text of the certificate and its private key, stored encrypted. Give this or certificatePath.",
      },
      {
        name: "certificatePassword",
        title: "Private key password",
        type: "string",
        secret: true,
        env: "AZURE_CLIENT_CERTIFICATE_PASSWORD",
        description: "Only for an encrypted private key.",
      },
      {
        name: "sendCertificateChain",
        title: "Send certificate chain (subject name/issuer auth)",
        type: "boolean",
        default: false,
      },
    ],
  },
  {
    id: "managed-identity",
    title: "Managed identity",
    description:
      "The identity of the Azure VM, App Service, Functions or container this runs on. Nothing secret is stored.",
    options: [
      clientId(
        false,
        "Client ID of a user-assigned identity. Default: the system-assigned identity.",
      ),
      {
        name: "resourceId",
        title: "User-assigned identity resource ID",
        type: "string",
        description: "Alternative to clientId: /subscriptions/…/userAssignedIdentities/<name>.",
      },
    ],
  },
  {
    id: "azure-cli",
    title: "Azure CLI",
    description:
      "Uses the account you signed in with `az login`. Nothing secret is stored; tokens come from the CLI.",
    options: [
      tenantId(false, "Tenant to ask the CLI for a token in. Default: the CLI's current tenant."),
    ],
  },
  {
    id: "workload-identity",
    title: "Workload identity (Kubernetes, federated)",
    description:
      "Exchanges a federated service-account token (AKS workload identity) for an Entra token. Defaults come from the environment the webhook injects.",
    options: [
      tenantId(false, "Default: AZURE_TENANT_ID."),
      clientId(false, "Default: AZURE_CLIENT_ID."),
      {
        name: "tokenFilePath",
        title: "Federated token file",
        type: "string",
        env: "AZURE_FEDERATED_TOKEN_FILE",
        description: "Default: AZURE_FEDERATED_TOKEN_FILE.",
      },
    ],
  },
];

export const INTERACTIVE_METHODS: ReadonlySet<string> = new Set([
  "interactive-browser",
  "device-code",
]);

export function isAuthMethodId(id: string): id is AuthMethodId {
  return AUTH_METHODS.some((m) => m.id === id);
}
