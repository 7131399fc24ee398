/** Why a `{{vault:name}}` reference could not be resolved. */
export type UnresolvedReason =
  | "missing"
  | "empty"
  | "disabled"
  | "domain-not-allowed"
  | "locked"
  | "auth-expired"
  | "disconnected"
  | "provider-error"
  /** Not a reference at all: `{{vault:}}`, `{{vault:bad name}}`, an unterminated `{{vault:x`. */
  | "malformed";

export interface UnresolvedReference {
  name: string;
  reason: UnresolvedReason;
  /** What went wrong, without the value. */
  message: string;
  /** What to do about it (a command to run, a setting to change). */
  fix: string;
  /** For `malformed`: the text as written, since it names no secret. */
  written?: string;
  /** The provider error code, for `provider-error`. */
  code?: string;
}
