import {
  networkErrorCode,
  type ProviderFailure,
  reauthHint,
  timedOut,
} from "@vaultlink/core/plugin";
import { ServiceResponseError } from "./client.js";
import { PROVIDER_TITLE } from "./meta.js";

/** What the failed call was about, for the message and the hint. */
export interface ErrorTarget {
  /** A failed sign-in is AUTH_FAILED; a refused session during a fetch is AUTH_EXPIRED. */
  phase: "authenticate" | "fetch";
  /** The integration id, for the commands in hints. */
  integration: string;
  /** The service's host. */
  host: string;
  /** The secret's name (fetch). */
  name?: string;
  /** Our own request timeout (`ctx.requestTimeoutMs`), for the message when it fires. */
  requestTimeoutMs: number;
}

/**
 * Map anything the client threw to one of core's codes, a message and a next step. Pass the
 * result to `failureFrom` (one request) or `errorFrom` (a sign-in). Never copies the error's
 * own text: a service's or SDK's message may carry request details.
 */
export function mapServiceError(error: unknown, target: ErrorTarget): ProviderFailure {
  const what =
    target.phase === "authenticate"
      ? `Signing in to ${target.host}`
      : `Reading ${target.name ?? "the secret"}`;

  if (error instanceof ServiceResponseError) {
    switch (error.status) {
      case 401:
        return target.phase === "authenticate"
          ? {
              code: "AUTH_FAILED",
              message: `${target.host} refused the API key.`,
              hint: "Check the key, then connect again.",
            }
          : {
              code: "AUTH_EXPIRED",
              message: `${target.host} no longer accepts the session.`,
              hint: reauthHint(target.integration),
            };
      case 403:
        return target.phase === "authenticate"
          ? {
              code: "AUTH_FAILED",
              message: `${target.host} does not let this API key sign in.`,
              hint: "Check the key, then connect again.",
            }
          : {
              code: "PERMISSION_DENIED",
              message: `Not allowed to read ${target.name}.`,
              hint: "Ask the service's admin to grant this API key access to it.",
            };
      case 404:
        if (target.phase === "fetch") {
          return {
            code: "NOT_FOUND",
            message: `There is no secret ${target.name}.`,
            hint: "Check the name, or create the secret in the service.",
          };
        }
        break;
      case 429:
        return {
          code: "THROTTLED",
          message: `${target.host} is limiting requests.`,
          hint: `Try again${error.retryAfterSeconds ? ` in ${error.retryAfterSeconds} s` : " later"}.`,
          details: { status: 429 },
        };
      default:
        break;
    }
    return {
      code: "PROVIDER_ERROR",
      message: `${what} failed: ${target.host} gave an unexpected answer (HTTP ${error.status}).`,
      hint: "Check that the url setting points at the secrets service; try again if it keeps failing.",
      details: { status: error.status },
    };
  }

  // Our own request timeout fired (core's deadline is reported by core itself).
  if (error instanceof DOMException && error.name === "TimeoutError") {
    return {
      code: "UNREACHABLE",
      ...timedOut(PROVIDER_TITLE, target.integration, target.requestTimeoutMs),
    };
  }

  const network = networkErrorCode(error);
  if (network) {
    return {
      code: "UNREACHABLE",
      message: `${what} failed: ${target.host} cannot be reached (${network}).`,
      hint: "Check the url setting and that the service is running.",
      details: { cause: network },
    };
  }
  return {
    code: "PROVIDER_ERROR",
    message: `${what} failed.`,
    hint: "Try again; run with --debug if it keeps failing.",
  };
}
