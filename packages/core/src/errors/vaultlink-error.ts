import type { ErrorCode } from "./codes.js";

const BRAND = Symbol.for("vaultlink.error");

export interface VaultlinkErrorOptions {
  /** What the user should do next, as one short sentence or a command to run. */
  hint?: string;
  /** The provider (plugin id) the error came from, when there is one. */
  provider?: string;
  /** The underlying error. Never put a secret value in it. */
  cause?: unknown;
  /** Extra non-secret facts for hosts (a missing IAM action, a path, a key name). */
  details?: Record<string, unknown>;
}

/**
 * The one error class of vaultlink. Messages name what went wrong and never contain a
 * secret value; `hint` says what to do next.
 */
export class VaultlinkError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly provider: string | undefined;
  readonly details: Record<string, unknown> | undefined;
  readonly [BRAND] = true;

  constructor(code: ErrorCode, message: string, options: VaultlinkErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "VaultlinkError";
    this.code = code;
    this.hint = options.hint;
    this.provider = options.provider;
    this.details = options.details;
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      ...(this.hint ? { hint: this.hint } : {}),
      ...(this.provider ? { provider: this.provider } : {}),
      ...(this.details ? { details: this.details } : {}),
    };
  }
}

/**
 * Structural check: true for any vaultlink error, even one created by another copy of core
 * (a plugin bundling its own core, or two versions in one process).
 */
export function isVaultlinkError(value: unknown): value is VaultlinkError {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string | symbol, unknown>;
  return (
    v[BRAND] === true ||
    (v.name === "VaultlinkError" && typeof v.code === "string" && typeof v.message === "string")
  );
}

/** Shorthand used across core and plugins. */
export function vaultlinkError(
  code: ErrorCode,
  message: string,
  options?: VaultlinkErrorOptions,
): VaultlinkError {
  return new VaultlinkError(code, message, options);
}
