import { type ErrorCode, isVaultlinkError, VaultlinkError } from "../errors/index.js";
import type { Redactor } from "./redactor.js";

/**
 * What core rethrows for anything a plugin threw: a VaultlinkError (its code kept when it is
 * one, `fallback` otherwise) whose message, hint and details passed the redactor. The
 * original error is not kept as `cause`: hosts print causes, and it holds the raw text.
 */
export function redactError(
  error: unknown,
  redactor: Redactor,
  fallback: { code: ErrorCode; provider?: string },
): VaultlinkError {
  const raw =
    typeof error === "object" && error !== null && typeof (error as Error).message === "string"
      ? (error as Error).message
      : typeof error === "string"
        ? error
        : "The provider call failed.";
  if (isVaultlinkError(error)) {
    const provider = error.provider ?? fallback.provider;
    return new VaultlinkError(error.code, redactor.redact(raw), {
      ...(error.hint ? { hint: redactor.redact(error.hint) } : {}),
      ...(provider ? { provider } : {}),
      ...(error.details ? { details: redactor.redactDetails(error.details) } : {}),
    });
  }
  return new VaultlinkError(fallback.code, redactor.redact(raw || "The provider call failed."), {
    ...(fallback.provider ? { provider: fallback.provider } : {}),
  });
}
