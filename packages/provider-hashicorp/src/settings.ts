import { DEFAULT_TIMEOUT_SECONDS, type OptionSpec, vaultlinkError } from "@vaultlink/core/plugin";
import { PROVIDER_ID } from "./meta.js";

/** Where the team setup lives unless the admin chooses another KV path. */
export const DEFAULT_TEAM_PATH = "secret/vaultlink/team";

/**
 * Team settings: an admin writes them when connecting (or with `configure`); members only
 * authenticate. Secret options live on the auth methods, never here.
 */
export const SETTINGS: readonly OptionSpec[] = [
  {
    name: "address",
    title: "Vault address",
    type: "string",
    // Checked by readSettings rather than `required`: core's reauthenticate validates the
    // options a member passes without the stored settings, and members never pass address.
    env: "VAULT_ADDR",
    endpoint: true,
    description:
      "Base URL of the Vault cluster (https://vault.example.com:8200). For local testing, the emulator's URL (http://127.0.0.1:<port>).",
  },
  {
    name: "namespace",
    title: "Namespace",
    type: "string",
    env: "VAULT_NAMESPACE",
    description:
      "Vault Enterprise / HCP namespace (sent as X-Vault-Namespace). Empty: the root namespace.",
  },
  {
    name: "authMount",
    title: "Auth method mount path",
    type: "string",
    // Path segments only: a value from a team setup becomes part of a request path.
    pattern: "/?[A-Za-z0-9_-][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*/?",
    description:
      "Where the auth method is mounted, without auth/ (default: the method's name: approle, userpass, jwt, oidc).",
  },
  {
    name: "role",
    title: "Role",
    type: "string",
    description: "Role of the OIDC or JWT auth method members sign in with.",
  },
  {
    name: "oidcProviderUrl",
    title: "OIDC provider URL",
    type: "string",
    endpoint: true,
    description:
      "oidc-provider sign-in: the issuer URL of Vault's OIDC provider (https://vault.example.com:8200/v1/identity/oidc/provider/<name>).",
  },
  {
    name: "clientId",
    title: "OIDC client id",
    type: "string",
    description:
      "oidc-provider sign-in: client_id of the public client (identity/oidc/client/<name>).",
  },
  {
    name: "teamPath",
    title: "Team setup location",
    type: "string",
    default: DEFAULT_TEAM_PATH,
    description:
      "KV path where the team setup is published (engine/path; engine::path for nested engines). Whoever Vault lets update it is a team admin.",
  },
  {
    name: "kvVersion",
    title: "KV engine version",
    type: "enum",
    choices: ["auto", "1", "2"],
    default: "auto",
    description:
      "auto: read it from sys/mounts (or sys/internal/ui/mounts). Force 1 or 2 when members' policies cannot read either.",
  },
  {
    name: "caCert",
    title: "CA certificate (PEM)",
    type: "string",
    description: "PEM of the CA that signed Vault's certificate, when it is not publicly trusted.",
  },
  {
    name: "caFile",
    title: "CA certificate file",
    type: "string",
    env: "VAULT_CACERT",
    local: true,
    description: "Path to a PEM file with the CA that signed Vault's certificate.",
  },
  {
    name: "tlsSkipVerify",
    title: "Skip TLS verification",
    type: "boolean",
    default: false,
    local: true,
    description: "Do not verify Vault's certificate. Local testing only.",
  },
];

export type KvVersionSetting = "auto" | "1" | "2";

export interface VaultSettings {
  address: string;
  namespace: string;
  authMount?: string;
  role?: string;
  oidcProviderUrl?: string;
  clientId?: string;
  teamPath: string;
  kvVersion: KvVersionSetting;
  caCert?: string;
  caFile?: string;
  tlsSkipVerify: boolean;
  timeoutMs: number;
}

const str = (v: unknown): string | undefined =>
  typeof v === "string" && v.trim() !== "" ? v.trim() : undefined;

function bad(message: string, hint: string): never {
  throw vaultlinkError("INVALID_INPUT", message, { hint, provider: PROVIDER_ID });
}

/** Read and check the stored settings. */
export function readSettings(
  raw: Record<string, unknown>,
  requestTimeoutMs = DEFAULT_TIMEOUT_SECONDS * 1000,
): VaultSettings {
  const address = str(raw.address);
  if (!address)
    bad(
      "HashiCorp Vault needs an address.",
      "Pass --address https://vault.example.com:8200 when connecting.",
    );
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    bad(
      `The Vault address "${address}" is not a URL.`,
      "Use https://host:port (or http://127.0.0.1:<port> for a local server).",
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    bad(
      `The Vault address "${address}" must start with https:// or http://.`,
      "Use https://host:port.",
    );
  }
  const kv = raw.kvVersion === undefined ? "auto" : String(raw.kvVersion);
  if (kv !== "auto" && kv !== "1" && kv !== "2") {
    bad(
      `kvVersion must be auto, 1 or 2, not "${kv}".`,
      "Leave it at auto unless detection is denied by policy.",
    );
  }
  const authMount = str(raw.authMount)
    ?.replace(/^\/+|\/+$/g, "")
    .replace(/^auth\//, "");
  const role = str(raw.role);
  const caCert = str(raw.caCert);
  const oidcProviderUrl = str(raw.oidcProviderUrl);
  const clientId = str(raw.clientId);
  const caFile = str(raw.caFile);
  return {
    address: address.replace(/\/+$/, ""),
    namespace: (str(raw.namespace) ?? "").replace(/^\/+|\/+$/g, ""),
    ...(authMount ? { authMount } : {}),
    ...(role ? { role } : {}),
    ...(oidcProviderUrl ? { oidcProviderUrl } : {}),
    ...(clientId ? { clientId } : {}),
    teamPath: (str(raw.teamPath) ?? DEFAULT_TEAM_PATH).replace(/^\/+|\/+$/g, ""),
    kvVersion: kv,
    ...(caCert ? { caCert } : {}),
    ...(caFile ? { caFile } : {}),
    tlsSkipVerify: raw.tlsSkipVerify === true || raw.tlsSkipVerify === "true",
    // Core's deadline (its `timeoutSeconds` setting, parsed by core), as node-vault's timeout.
    timeoutMs: requestTimeoutMs,
  };
}
