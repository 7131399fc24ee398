import {
  errorFrom,
  NETWORK_ERROR_CODES,
  type ProviderFailure,
  TLS_ERROR_CODE,
  type VaultlinkError,
} from "@vaultlink/core/plugin";
import { PROVIDER_ID } from "./meta.js";

/** A failure described with a core code. Never carries the SDK error itself (its request
 * config holds the X-Vault-Token header), only non-secret facts. */
export type VaultFailure = ProviderFailure;

export const REAUTH_HINT =
  "Sign in again: vaultlink integration reauth <integration> (members can do this themselves).";

/** The token no longer works (or there is none yet): the person signs in again. */
export function expiredFailure(message: string): VaultFailure {
  return { code: "AUTH_EXPIRED", message, hint: REAUTH_HINT };
}

/** HTTP status of a node-vault ApiResponseError, if that is what it is. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { response?: { statusCode?: unknown } } | null)?.response?.statusCode;
  return typeof status === "number" ? status : undefined;
}

/** Vault's first error message, unwrapped from "1 error occurred:\n\t* …". */
export function vaultMessage(error: unknown): string | undefined {
  const body = (error as { response?: { body?: { errors?: unknown } } } | null)?.response?.body;
  const first = Array.isArray(body?.errors) ? body.errors[0] : undefined;
  if (typeof first !== "string" || first.trim() === "") return undefined;
  const bullets = [...first.matchAll(/^\s*\*\s*(.+)$/gm)].map((m) => (m[1] as string).trim());
  return (bullets.length > 0 ? bullets.join("; ") : first.trim()).slice(0, 300);
}

function networkCode(error: unknown): string | undefined {
  const e = error as { code?: unknown; cause?: { code?: unknown } } | null;
  const code =
    typeof e?.code === "string"
      ? e.code
      : typeof e?.cause?.code === "string"
        ? e.cause.code
        : undefined;
  return code;
}

/** True when Vault refused the request the way it refuses a bad token or a policy (403). */
export function isDenied(error: unknown): boolean {
  const status = statusOf(error);
  return status === 403 || status === 401;
}

/**
 * Map anything node-vault threw to a core code. `action` says what was attempted
 * ("reading secret/data/app/db"); 403 is reported as a policy denial here: callers that
 * must tell an invalid token apart check the token first (see session.ts).
 */
export function describeFailure(error: unknown, action: string, address: string): VaultFailure {
  const status = statusOf(error);
  const said = vaultMessage(error);
  const details: Record<string, unknown> = {
    ...(status !== undefined ? { status } : {}),
    ...(said ? { vaultError: said } : {}),
  };
  if (status === undefined) {
    const code = networkCode(error);
    if (code && TLS_ERROR_CODE.test(code)) {
      return {
        code: "UNREACHABLE",
        message: `Could not verify the TLS certificate of Vault at ${address} while ${action} (${code}).`,
        hint: "Set caCert or caFile to the CA that signed Vault's certificate (tlsSkipVerify only for local testing).",
        details: { errorCode: code },
      };
    }
    if (code && /^(ECONNABORTED|ETIMEDOUT|ESOCKETTIMEDOUT|UND_ERR_\w*TIMEOUT)$/.test(code)) {
      return {
        code: "UNREACHABLE",
        message: `Vault at ${address} did not answer in time while ${action} (${code}).`,
        hint: "Try again; if Vault is just slow, an admin can raise timeoutSeconds (vaultlink integration configure <id> --timeoutSeconds 60).",
        details: { errorCode: code },
      };
    }
    if (code && NETWORK_ERROR_CODES.has(code)) {
      return {
        code: "UNREACHABLE",
        message: `Vault at ${address} is unreachable while ${action} (${code}).`,
        hint: "Check the address, the network or VPN, and that Vault is running.",
        details: { errorCode: code },
      };
    }
    const text = error instanceof Error ? error.message : String(error);
    return {
      code: "UNREACHABLE",
      message: `No answer from Vault at ${address} while ${action}${code ? ` (${code})` : ""}.`,
      hint: "Check the address and the network.",
      details: { ...(code ? { errorCode: code } : {}), reason: text.slice(0, 200) },
    };
  }
  if (status === 401 || status === 403) {
    return {
      code: "PERMISSION_DENIED",
      message: `Vault denied ${action}.`,
      hint: "Ask your Vault admin to grant your policy the capability.",
      details,
    };
  }
  if (status === 404) {
    return { code: "NOT_FOUND", message: `Nothing found while ${action}.`, details };
  }
  if (status === 429) {
    return {
      code: "THROTTLED",
      message: `Vault rate-limited ${action}${said ? `: ${said}` : ""}.`,
      hint: "Wait a moment and try again; ask the Vault admin about the rate-limit quota if it persists.",
      details,
    };
  }
  if (status === 503 || status === 472 || status === 473 || status === 501) {
    const reason = /seal/i.test(said ?? "")
      ? "Vault is sealed"
      : /standby/i.test(said ?? "") || status === 472 || status === 473
        ? "the Vault node is a standby that cannot serve this request"
        : status === 501
          ? "Vault is not initialised"
          : (said ?? "Vault is unavailable");
    return {
      code: "UNREACHABLE",
      message: `Vault at ${address} cannot serve ${action}: ${reason}.`,
      hint: /sealed/.test(reason)
        ? "A Vault operator has to unseal it."
        : "Point the address at the active node or the load balancer, or try again later.",
      details: { ...details, reason },
    };
  }
  if (status === 502 || status === 504) {
    return {
      code: "UNREACHABLE",
      message: `A gateway in front of Vault at ${address} failed while ${action} (HTTP ${status}).`,
      hint: "Try again later.",
      details,
    };
  }
  return {
    code: "PROVIDER_ERROR",
    message: `Vault answered HTTP ${status} while ${action}${said ? `: ${said}` : ""}.`,
    hint:
      status >= 500
        ? "Try again in a moment; if it keeps failing, a Vault operator can find the error in Vault's server log."
        : "Check the address and the request; if it keeps failing, ask a Vault operator.",
    details,
  };
}

/** The failure as a throwable error (for authenticate and whole-call failures). */
export function toError(failure: VaultFailure): VaultlinkError {
  return errorFrom(PROVIDER_ID, failure);
}
