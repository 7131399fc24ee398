import {
  isProviderCode,
  isVaultlinkError,
  NETWORK_ERROR_CODES,
  type ProviderFailure,
  reauthHint,
  TLS_ERROR_CODE,
} from "@vaultlink/core/plugin";

/** A core code plus words for a person. Never holds a secret value or a token. */
export type MappedError = ProviderFailure;

/** What the failed call was about, for the message. */
export interface ErrorTarget {
  /** "fetch" failures name the secret; "authenticate" failures name the sign-in. */
  phase: "fetch" | "authenticate";
  /** The integration id, for the reauth command in hints. */
  integration: string;
  /** The auth method (authenticate), so a failed sign-in's hint fits it. */
  method?: string;
  /** Canonical reference (fetch). */
  reference?: string;
  /** Vault URL (fetch). */
  vaultUrl?: string;
  version?: string;
}

export const SECRETS_USER_ROLE = "Key Vault Secrets User";

const IDENTITY_ERRORS = new Set([
  "CredentialUnavailableError",
  "AuthenticationError",
  "AuthenticationRequiredError",
  "AggregateAuthenticationError",
]);

interface ErrorFacts {
  name: string;
  message: string;
  status?: number;
  code?: string;
  /** Key Vault's innererror code (ForbiddenByRbac, SecretDisabled…). */
  inner?: string;
}

function facts(error: unknown): ErrorFacts {
  const e = (error ?? {}) as Record<string, unknown>;
  const details = e.details as
    | { error?: { innerError?: { code?: unknown }; innererror?: { code?: unknown } } }
    | undefined;
  const inner = details?.error?.innerError?.code ?? details?.error?.innererror?.code;
  return {
    name: typeof e.name === "string" ? e.name : "Error",
    message: typeof e.message === "string" ? e.message : String(error),
    ...(typeof e.statusCode === "number" ? { status: e.statusCode } : {}),
    ...(typeof e.code === "string" ? { code: e.code } : {}),
    ...(typeof inner === "string" ? { inner } : {}),
  };
}

/** An AADSTS error number and the first line of its description, without trace ids. */
function aadSummary(message: string): string | undefined {
  const match = /(AADSTS\d+):\s*([^\r\n]*)/.exec(message);
  if (!match) return undefined;
  const sentence = (match[2] ?? "").split(/(?<=\.)\s/)[0] ?? "";
  return `${match[1]}: ${sentence}`.trim();
}

const isNetworkCode = (code: string): boolean =>
  NETWORK_ERROR_CODES.has(code) || TLS_ERROR_CODE.test(code);

/** Core's network and TLS codes, on the error or named in its message (the SDK rewraps). */
function networkCodeIn(f: ErrorFacts): string | undefined {
  if (f.code && isNetworkCode(f.code)) return f.code;
  const found = /\b(E[A-Z]{3,}|[A-Z_]*CERT[A-Z_]*)\b/.exec(f.message)?.[1];
  return found && isNetworkCode(found) ? found : undefined;
}

function what(target: ErrorTarget): string {
  if (target.phase === "authenticate") return "Signing in to Azure";
  return `Reading ${target.reference ?? "the secret"}`;
}

function reauthHintFor(target: ErrorTarget): string {
  return reauthHint(target.integration);
}

/** Map anything the Azure SDKs threw to a core code, a message and a next step. */
export function mapAzureError(error: unknown, target: ErrorTarget): MappedError {
  // Our own credentials throw vaultlink errors (an expired stored token); keep their code.
  if (isVaultlinkError(error) && isProviderCode(error.code)) {
    return {
      code: error.code,
      message: error.message,
      ...(error.hint ? { hint: error.hint } : {}),
      ...(error.details ? { details: error.details } : {}),
    };
  }
  const f = facts(error);
  const network = networkCodeIn(f);

  if (network && TLS_ERROR_CODE.test(network)) {
    return {
      code: "UNREACHABLE",
      message: `${what(target)} failed: the server's TLS certificate is not trusted (${network}).`,
      hint: "If a proxy or a local emulator signs the connection, trust its CA (caFile setting or NODE_EXTRA_CA_CERTS).",
      details: { cause: network },
    };
  }
  if (network && (f.status === undefined || f.status === 0)) {
    const where = target.vaultUrl ?? "Azure";
    return {
      code: "UNREACHABLE",
      message: `${what(target)} failed: ${where} could not be reached (${network}).`,
      hint: "Check the network, DNS and proxy; a vault behind a private endpoint is only reachable from its virtual network.",
      details: { cause: network },
    };
  }

  if (IDENTITY_ERRORS.has(f.name)) {
    const aad = aadSummary(f.message);
    const reason = aad ?? (f.name === "CredentialUnavailableError" ? firstLine(f.message) : f.name);
    if (target.phase === "authenticate") {
      return {
        code: "AUTH_FAILED",
        message: `Signing in to Azure failed: ${reason}`,
        hint: signInHint(target.method),
        details: { error: f.name, ...(aad ? { aadCode: aad.split(":")[0] } : {}) },
      };
    }
    return {
      code: "AUTH_EXPIRED",
      message: `${what(target)} failed: Azure refused the stored sign-in (${reason})`,
      hint: reauthHintFor(target),
      details: { error: f.name, ...(aad ? { aadCode: aad.split(":")[0] } : {}) },
    };
  }

  switch (f.status) {
    case 401:
      return {
        code: target.phase === "authenticate" ? "AUTH_FAILED" : "AUTH_EXPIRED",
        message: `${what(target)} failed: Key Vault rejected the access token (401: ${firstLine(f.message)})`,
        hint: reauthHintFor(target),
        details: { status: 401 },
      };
    case 403:
      return forbidden(f, target);
    case 404:
      return {
        code: "NOT_FOUND",
        message: target.version
          ? `Version ${target.version} of ${target.reference} does not exist in ${target.vaultUrl}.`
          : `${target.reference} does not exist in ${target.vaultUrl}.`,
        hint: "Check the secret identifier, or whether the secret was deleted (it may be recoverable).",
        details: { status: 404, ...(f.code ? { azureCode: f.code } : {}) },
      };
    case 429:
      return {
        code: "THROTTLED",
        message: `${what(target)} failed: Key Vault is throttling requests (429) and retries ran out.`,
        hint: "Wait a little and try again; raise cacheTtlMinutes so fewer reads reach the vault.",
        details: { status: 429 },
      };
    default:
      break;
  }
  if (f.status !== undefined) {
    return {
      code: "PROVIDER_ERROR",
      message: `${what(target)} failed: Key Vault answered ${f.status}${f.code ? ` ${f.code}` : ""}: ${firstLine(f.message)}`,
      details: { status: f.status, ...(f.code ? { azureCode: f.code } : {}) },
    };
  }
  if (/challenge resource .* does not match/i.test(f.message)) {
    return {
      code: "INVALID_REFERENCE",
      message: `${what(target)} failed: the vault's sign-in challenge names another cloud than its host.`,
      hint: "Check the vault host and the cloud setting.",
    };
  }
  return {
    code: "PROVIDER_ERROR",
    message: `${what(target)} failed: ${f.name}: ${firstLine(f.message)}`,
  };
}

function forbidden(f: ErrorFacts, target: ErrorTarget): MappedError {
  const inner = f.inner ?? "";
  if (inner === "SecretDisabled" || /disabled secret/i.test(f.message)) {
    return {
      code: "PROVIDER_ERROR",
      message: `${target.reference ?? "The secret"} is disabled in Azure Key Vault${target.version ? "" : " (its current version)"}.`,
      hint: "Enable it in the Azure portal, or: az keyvault secret set-attributes --enabled true --id <identifier>.",
      details: { status: 403, azureCode: "SecretDisabled", reason: "secret-disabled" },
    };
  }
  const firewall =
    inner === "ForbiddenByFirewall" || /client address is not authorized|firewall/i.test(f.message);
  const action = /Action:\s*'([^']+)'/.exec(f.message)?.[1];
  if (firewall) {
    return {
      code: "PERMISSION_DENIED",
      message: `${what(target)} failed: the vault's firewall does not allow this machine's address (403 ForbiddenByFirewall).`,
      hint: "Add this machine's public IP to the vault's Networking allow list, or connect through the vault's virtual network.",
      details: { status: 403, azureCode: "ForbiddenByFirewall" },
    };
  }
  return {
    code: "PERMISSION_DENIED",
    message: `${what(target)} failed: the signed-in identity may not read secrets in ${target.vaultUrl ?? "this vault"} (403${inner ? ` ${inner}` : ""}${action ? `, action ${action}` : ""}).`,
    hint: `Ask a vault owner to assign the "${SECRETS_USER_ROLE}" role on the vault (or, for a vault using access policies, the Get secret permission). If the vault has a firewall, allow this machine's IP.`,
    details: {
      status: 403,
      ...(inner ? { azureCode: inner } : {}),
      ...(action ? { action } : {}),
      role: SECRETS_USER_ROLE,
    },
  };
}

function firstLine(message: string): string {
  return (message.split(/\r?\n/)[0] ?? "").trim();
}

/** What to check when a sign-in with `method` fails. */
function signInHint(method: string | undefined): string {
  switch (method) {
    case "interactive-browser":
    case "device-code":
      return "Check the tenant and that your account may sign in to it (an admin may have to consent to the app first), then try again.";
    case "managed-identity":
      return "Run this on an Azure resource with a managed identity (give clientId for a user-assigned one), and check that the identity endpoint answers.";
    case "azure-cli":
      return "Sign in to the Azure CLI first (az login, with --tenant if needed), then try again.";
    case "workload-identity":
      return "Check AZURE_FEDERATED_TOKEN_FILE, the client ID and tenant, and the app's federated credential for this workload.";
    default:
      return "Check the tenant, client ID and secret or certificate, and that the app registration exists in that tenant.";
  }
}
