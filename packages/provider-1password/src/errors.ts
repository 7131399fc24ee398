import {
  networkErrorCode,
  type ProviderErrorCode,
  type ProviderFailure,
} from "@vaultlink/core/plugin";
import type { OnePasswordReference } from "./reference.js";

/** How one 1Password failure maps onto core's codes. */
export type MappedError = ProviderFailure;

const VAULT_ACCESS_HINT =
  "Check the vault name. Service accounts never see Personal, Private or Employee vaults or the default Shared vault, and need read access to every vault they use.";
const AMBIGUOUS_HINT = "Write the ambiguous part as its id (26 lowercase letters and digits).";
const REAUTH_HINT = "Sign in again: vaultlink integration reauth <integration>.";

/** Remove anything that looks like a token from text that came from an SDK. */
export function redact(text: string): string {
  return text
    .replace(/ops_[A-Za-z0-9_\-=]{8,}/g, "ops_[REDACTED]")
    .replace(/\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, "[REDACTED]")
    .replace(/Bearer\s+\S+/gi, "Bearer [REDACTED]");
}

function describe(error: unknown): string {
  if (error instanceof Error) return redact(error.message);
  if (typeof error === "string") return redact(error);
  return "unknown error";
}

// ---------------------------------------------------------------------------------------------
// @1password/sdk (service account and desktop app)

/** The `type` of a per-reference error in `resolveAll`'s `individualResponses`. */
export interface ResolveErrorLike {
  type: string;
  message?: string | undefined;
}

/** Map one per-reference error of `client.secrets.resolveAll`. */
export function mapResolveError(ref: OnePasswordReference, error: ResolveErrorLike): MappedError {
  const where = `"${ref.canonical}"`;
  const detail = error.message ? `: ${redact(error.message)}` : "";
  switch (error.type) {
    case "vaultNotFound":
      return {
        code: "NOT_FOUND",
        message: `1Password has no vault "${ref.vault}" that this sign-in can read (${where}).`,
        hint: VAULT_ACCESS_HINT,
      };
    case "itemNotFound":
      return {
        code: "NOT_FOUND",
        message: `The 1Password vault "${ref.vault}" has no item "${ref.item}" (${where}).`,
      };
    case "noMatchingSections":
      return {
        code: "NOT_FOUND",
        message: `The 1Password item "${ref.item}" has no section "${ref.section ?? ""}" (${where}).`,
      };
    case "fieldNotFound":
      return {
        code: "NOT_FOUND",
        message: `The 1Password item "${ref.item}" has no field "${ref.field}"${ref.section ? ` in section "${ref.section}"` : ""} (${where}).`,
        hint: "Field names are labels as shown in 1Password; a file attachment is named by its file name.",
      };
    case "tooManyVaults":
      return {
        code: "PROVIDER_ERROR",
        message: `Several 1Password vaults match "${ref.vault}", so ${where} is ambiguous.`,
        hint: AMBIGUOUS_HINT,
      };
    case "tooManyItems":
      return {
        code: "PROVIDER_ERROR",
        message: `Several items in the 1Password vault "${ref.vault}" match "${ref.item}", so ${where} is ambiguous.`,
        hint: AMBIGUOUS_HINT,
      };
    case "tooManyMatchingFields":
      return {
        code: "PROVIDER_ERROR",
        message: `Several fields of the 1Password item "${ref.item}" match "${ref.field}", so ${where} is ambiguous.`,
        hint: "Add the section (op://vault/item/section/field) or write the field as its id.",
      };
    case "parsing":
      return {
        code: "INVALID_REFERENCE",
        message: `1Password could not parse ${where}${detail}.`,
      };
    case "incompatibleTOTPQueryParameterField":
    case "unableToGenerateTotpCode":
      return {
        code: "PROVIDER_ERROR",
        message: `1Password could not produce a one-time code for ${where}${detail || " (the field is not a one-time password field)"}.`,
        hint: "Use ?attribute=otp only on a one-time password field.",
      };
    case "sSHKeyMetadataNotFound":
    case "incompatibleSshKeyQueryParameterField":
    case "unableToParsePrivateKey":
    case "unableToFormatPrivateKeyToOpenSsh":
      return {
        code: "PROVIDER_ERROR",
        message: `1Password could not give ${where} in OpenSSH format (${error.type}).`,
        hint: "Use ?ssh-format=openssh only on the private key field of an SSH key item.",
      };
    case "unsupportedFileFormat":
      return {
        code: "PROVIDER_ERROR",
        message: `1Password can only read text file attachments; ${where} is not one.`,
      };
    default:
      return {
        code: "PROVIDER_ERROR",
        message: `1Password could not resolve ${where} (${error.type}${detail}).`,
      };
  }
}

/** SDK messages that name their failure whatever the phase, by lowercase fragments. */
const SDK_MESSAGE_RULES: {
  says: string[];
  code: ProviderErrorCode;
  message: (text: string) => string;
  hint: string;
}[] = [
  {
    says: ["error sending request", "request library"],
    code: "UNREACHABLE",
    message: (text) => `1Password could not be reached: ${text}`,
    hint: "Check the network connection and any proxy or firewall between you and 1Password.",
  },
  {
    says: ["don't have the right permissions", "forbidden"],
    code: "PERMISSION_DENIED",
    message: (text) => `1Password refused access: ${text}`,
    hint: "Give the service account read access to the vault.",
  },
  {
    says: ["service account token had invalid format", "invalid service account token"],
    code: "AUTH_FAILED",
    message: () => "1Password rejected the service account token's format.",
    hint: "Copy the whole token (it starts with ops_) from 1Password again.",
  },
  {
    says: ["desktop application not found", "native library is not available"],
    code: "AUTH_FAILED",
    message: (text) => `The 1Password desktop app could not be used: ${text}`,
    hint: "Install and unlock the 1Password desktop app and turn on Settings → Developer → Integrate with other apps.",
  },
];

/**
 * Map an error the SDK threw for a whole call. `phase` is "authenticate" when a sign-in is
 * being checked (a rejected credential is then AUTH_FAILED, not AUTH_EXPIRED).
 */
export function mapSdkError(error: unknown, phase: "authenticate" | "fetch"): MappedError {
  const name = error instanceof Error ? error.constructor.name : "";
  const text = describe(error);
  const lower = text.toLowerCase();
  if (name === "RateLimitExceededError" || lower.includes("rate limit exceeded")) {
    return {
      code: "THROTTLED",
      message: `1Password rate-limited this service account: ${text}`,
      hint: "Service accounts have hourly and daily request limits; wait, or raise the cache time.",
    };
  }
  if (name === "AuthExpiredError" || name === "DesktopSessionExpiredError") {
    return {
      code: phase === "authenticate" ? "AUTH_FAILED" : "AUTH_EXPIRED",
      message: `The 1Password session has expired or its token was revoked: ${text}`,
      hint: REAUTH_HINT,
    };
  }
  const rule = SDK_MESSAGE_RULES.find((r) => r.says.some((fragment) => lower.includes(fragment)));
  if (rule) return { code: rule.code, message: rule.message(text), hint: rule.hint };
  if (
    /authentication error: (internal server error|unexpected status code|a conflict occurred)/.test(
      lower,
    )
  ) {
    return { code: "PROVIDER_ERROR", message: `1Password had a server error: ${text}` };
  }
  if (lower.includes("authentication error")) {
    return phase === "authenticate"
      ? {
          code: "AUTH_FAILED",
          message: `1Password did not accept the sign-in: ${text}`,
          hint: "Check that the service account token is current and has not been revoked.",
        }
      : {
          code: "AUTH_EXPIRED",
          message: `1Password no longer accepts this sign-in: ${text}`,
          hint: REAUTH_HINT,
        };
  }
  return { code: "PROVIDER_ERROR", message: `The 1Password SDK failed: ${text}` };
}

/** True when the SDK failed a whole call because of a rate limit (worth a retry later). */
export function isSdkRateLimit(error: unknown): boolean {
  return mapSdkError(error, "fetch").code === "THROTTLED";
}

// ---------------------------------------------------------------------------------------------
// @1password/connect (Connect server REST API)

/** What the Connect SDK rejects with: the server's (or its own) `{status, message}` body. */
interface ConnectHttpError {
  status: number;
  message?: unknown;
}

function isConnectHttpError(error: unknown): error is ConnectHttpError {
  return (
    typeof error === "object" &&
    error !== null &&
    !(error instanceof Error) &&
    typeof (error as { status?: unknown }).status === "number"
  );
}

/** True when the Connect server answered 429 (rate limited). */
export function isConnectRateLimit(error: unknown): boolean {
  return isConnectHttpError(error) && error.status === 429;
}

/** What a Connect lookup was looking for when it failed, to name it in the message. */
export interface ConnectTarget {
  host: string;
  vault: string;
  item?: string;
}

/** Map an error from the Connect SDK (a `{status, message}` object, or an axios Error). */
export function mapConnectError(
  error: unknown,
  target: ConnectTarget,
  phase: "authenticate" | "fetch",
): MappedError {
  const what = target.item
    ? `item "${target.item}" in vault "${target.vault}"`
    : target.vault
      ? `vault "${target.vault}"`
      : "the vault list";
  if (isConnectHttpError(error)) {
    const serverSays = typeof error.message === "string" ? redact(error.message) : "";
    const said = serverSays ? ` (${serverSays})` : "";
    switch (error.status) {
      case 401:
        return phase === "authenticate"
          ? {
              code: "AUTH_FAILED",
              message: `The Connect server at ${target.host} did not accept the token${said}.`,
              hint: "Check the Connect token; it must belong to this Connect server.",
            }
          : {
              code: "AUTH_EXPIRED",
              message: `The Connect server at ${target.host} no longer accepts the token${said}.`,
              hint: `The token was revoked or expired. ${REAUTH_HINT}`,
            };
      case 403:
        return {
          code: "PERMISSION_DENIED",
          message: `The Connect token may not read ${what}${said}.`,
          hint: "Give the Connect token access to this vault in 1Password (Developer → Connect servers).",
        };
      case 404:
        return {
          code: "NOT_FOUND",
          message: target.item
            ? `The 1Password vault "${target.vault}" has no item "${target.item}"${said}.`
            : `The Connect server has no vault "${target.vault}" that this token can read${said}.`,
          ...(target.item ? {} : { hint: VAULT_ACCESS_HINT }),
        };
      case 400:
        if (/multiple (vaults|items)/i.test(serverSays)) {
          return {
            code: "PROVIDER_ERROR",
            message: `Several ${target.item ? `items in vault "${target.vault}" match "${target.item}"` : `vaults match "${target.vault}"`}, so the reference is ambiguous${said}.`,
            hint: AMBIGUOUS_HINT,
          };
        }
        return {
          code: "PROVIDER_ERROR",
          message: `The Connect server refused the request for ${what}${said}.`,
        };
      case 429:
        return {
          code: "THROTTLED",
          message: `The Connect server is rate-limiting requests${said}.`,
          hint: "Wait a moment, or raise the cache time so fewer reads reach the server.",
        };
      default:
        return {
          code: "PROVIDER_ERROR",
          message: `The Connect server answered ${error.status} while reading ${what}${said}.`,
          ...(error.status >= 500
            ? { hint: "Check the Connect server's logs and its connection to 1Password.com." }
            : {}),
          details: { httpStatus: error.status },
        };
    }
  }
  const code = (error as { code?: unknown } | null)?.code;
  const text = describe(error);
  if (networkErrorCode(error) !== undefined || /socket hang up|timeout|network error/i.test(text)) {
    return {
      code: "UNREACHABLE",
      message: `The Connect server at ${target.host} could not be reached (${typeof code === "string" ? code : text}).`,
      hint: "Check the host setting and that the Connect server is running.",
    };
  }
  return {
    code: "PROVIDER_ERROR",
    message: `Reading ${what} from the Connect server failed: ${text}`,
  };
}
