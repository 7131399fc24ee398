/**
 * Exit codes and the mapping from VaultlinkError codes to them. This module is on the hot
 * path of every command: it imports nothing.
 */
export const ExitCode = {
  ok: 0,
  other: 1,
  usage: 2,
  unresolved: 3,
  auth: 4,
  unreachable: 5,
  vault: 6,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** Documented in docs/cli.md (the generator reads this table). */
export const EXIT_CODE_DOCS: ReadonlyArray<[number, string]> = [
  [0, "success"],
  [
    1,
    "other failure (a secret or integration that does not exist, a provider refusing access, a damaged export, problems found by doctor)",
  ],
  [
    2,
    "usage error: unknown command or option, missing or malformed argument, invalid name, setting or reference, a secret passed on the command line",
  ],
  [
    3,
    "unresolved references: a secret could not be resolved (missing, empty, disabled, domain not allowed, provider error)",
  ],
  [4, "authentication needed: an integration's sign-in expired, failed or was disconnected"],
  [5, "provider unreachable or throttling"],
  [
    6,
    "vault locked or damaged: no vault, no usable vault key, wrong key, damaged vault file, vault busy",
  ],
];

const BY_CODE: Record<string, ExitCodeValue> = {
  INVALID_NAME: 2,
  INVALID_INPUT: 2,
  INVALID_SETTING: 2,
  INVALID_REFERENCE: 2,
  CONFIRMATION_REQUIRED: 2,
  PLUGIN_INVALID: 1,
  PLUGIN_INCOMPATIBLE: 1,
  AUTH_EXPIRED: 4,
  AUTH_FAILED: 4,
  INTEGRATION_DISCONNECTED: 4,
  UNREACHABLE: 5,
  THROTTLED: 5,
  VAULT_NOT_FOUND: 6,
  VAULT_CORRUPT: 6,
  VAULT_WRONG_KEY: 6,
  VAULT_LOCKED: 6,
  VAULT_BUSY: 6,
  VAULT_CHANGED: 6,
  VAULT_HOME_UNSAFE: 6,
  UNSAFE_OUTPUT: 2,
  KEY_SOURCE_UNAVAILABLE: 6,
  INVALID_KEY: 6,
};

export function exitCodeFor(code: string | undefined): ExitCodeValue {
  return (code && BY_CODE[code]) || 1;
}

/** An error of the CLI itself (usage, refused input). Printed as one line plus a hint. */
export class CliError extends Error {
  readonly exitCode: number;
  readonly hint: string | undefined;
  readonly code: string;
  constructor(message: string, options: { hint?: string; exitCode?: number; code?: string } = {}) {
    super(message);
    this.name = "CliError";
    this.exitCode = options.exitCode ?? ExitCode.usage;
    this.hint = options.hint;
    this.code = options.code ?? "USAGE";
  }
}

export function usage(message: string, hint?: string): CliError {
  return new CliError(message, hint === undefined ? {} : { hint });
}

/** An exit without a message (the command already printed what it had to say). */
export class SilentExit extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
  }
}
