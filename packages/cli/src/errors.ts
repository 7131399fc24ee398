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
  /** Ctrl-C (SIGINT): 128 + 2, as shells report it. */
  interrupted: 130,
  /** SIGTERM: 128 + 15. */
  terminated: 143,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** Documented in docs/cli.md (the generator reads this table). */
export const EXIT_CODE_DOCS: ReadonlyArray<[number, string]> = [
  [0, "success"],
  [
    1,
    "other failure (a secret, integration or plugin that does not exist, a provider refusing access or having no such secret when `secret link` checks a reference, a damaged export, problems found by doctor)",
  ],
  [
    2,
    "usage error: unknown command or option, missing or malformed argument, invalid name, setting or reference, a secret passed on the command line",
  ],
  [
    3,
    "unresolved references: `read`, `resolve`, `inject` or `run` could not resolve a secret (missing, empty, disabled, domain not allowed, or the provider answered NOT_FOUND, PERMISSION_DENIED or another error)",
  ],
  [4, "authentication needed: an integration's sign-in expired, failed or was disconnected"],
  [5, "provider unreachable or throttling"],
  [
    6,
    "vault locked or damaged: no vault, no usable vault key, wrong key, damaged vault file, vault busy",
  ],
  [126, "`run` only: the command to run is not executable (a directory, no execute permission)"],
  [127, "`run` only: the command to run was not found"],
  [130, "interrupted (Ctrl-C, SIGINT), also when a prompt was cancelled"],
  [143, "terminated (SIGTERM)"],
];

/**
 * The `code` of the JSON error object (`--json`), with the exit code it comes with. Documented
 * in docs/cli.md (the generator reads this table); a test checks that every code core raises
 * is listed.
 */
export const ERROR_CODE_DOCS: ReadonlyArray<[string, number | string, string]> = [
  ["UNKNOWN_COMMAND", 2, "no such command (also when followed by --help)"],
  ["UNKNOWN_OPTION", 2, "no such option for this command"],
  ["MISSING_ARGUMENT", 2, "a required argument is missing"],
  ["EXCESS_ARGUMENTS", 2, "more arguments than the command takes"],
  ["MISSING_OPTION_VALUE", 2, "an option that takes a value was given none"],
  ["INVALID_ARGUMENT", 2, "a value outside the allowed choices"],
  ["USAGE", 2, "other refused input: a secret on the command line, conflicting options, no input"],
  ["INVALID_NAME", 2, "not a valid secret name"],
  ["INVALID_INPUT", 2, "a malformed value (allowed domain, template, stdin that is not UTF-8…)"],
  ["INVALID_SETTING", 2, "a setting that does not exist or a value out of range"],
  ["INVALID_REFERENCE", 2, "a provider reference, JSON key or version that cannot work"],
  ["CONFIRMATION_REQUIRED", 2, "a destructive command without --yes outside a terminal"],
  ["CONFIG_INVALID", 2, "config.json cannot be used"],
  ["HOME_NOT_A_DIRECTORY", 2, "VAULTLINK_HOME (or a directory above it) is a file"],
  ["UNRESOLVED", "3, 4 or 5", "references could not be resolved (the list is in `unresolved`)"],
  ["SECRET_EXISTS", 1, "a secret with that name exists"],
  ["SECRET_NOT_FOUND", 1, "no secret with that name"],
  ["JSON_KEY_MISSING", 1, "the linked value has no such JSON key"],
  ["NOT_JSON", 1, "a JSON key was asked of a value that is not a JSON object"],
  ["PROVIDER_NOT_FOUND", 1, "no provider plugin with that id"],
  ["PLUGIN_INVALID", 1, "a plugin that is not a valid vaultlink provider"],
  ["PLUGIN_INCOMPATIBLE", 1, "a plugin for another plugin API version"],
  ["INTEGRATION_NOT_FOUND", 1, "no integration with that id"],
  ["INTEGRATION_EXISTS", 1, "an integration with that id is connected"],
  ["TEAM_SETUP_NOT_FOUND", 1, "no team setup is published where the join code points"],
  [
    "TEAM_SETUP_INVALID",
    1,
    "the published team setup is malformed, or sends sign-in to a host you did not join",
  ],
  ["INVALID_JOIN_CODE", 1, "the join code or join file cannot be used"],
  ["ACCESS_DENIED", 1, "a team integration changed by someone who is not an admin"],
  [
    "PERMISSION_DENIED",
    1,
    "the provider refused access to a secret while `secret link` checked it (a read reports `UNRESOLVED`, exit 3)",
  ],
  [
    "NOT_FOUND",
    1,
    "the provider has no such secret while `secret link` checked it (a read reports `UNRESOLVED`, exit 3), or `plugins uninstall`/`update` names no installed plugin",
  ],
  [
    "PROVIDER_ERROR",
    1,
    "the provider failed in another way while `secret link` checked a reference (a read reports `UNRESOLVED`, exit 3)",
  ],
  ["EXPORT_PASSWORD", 1, "the export password is wrong or too short"],
  ["EXPORT_CORRUPT", 1, "the export file is damaged"],
  ["VAULT_EXISTS", 1, "a vault exists already"],
  ["CANCELLED", "1 or 130", "the confirmation was declined (1) or the prompt cancelled (130)"],
  [
    "OS_<ERRNO>",
    1,
    "the operating system refused: OS_ENOENT, OS_EACCES, OS_ENOSPC, OS_EISDIR, OS_EROFS, OS_E2BIG…",
  ],
  ["COMMAND_NOT_FOUND", 127, "`run`: the command to run was not found"],
  ["COMMAND_NOT_EXECUTABLE", 126, "`run`: the command to run is not executable"],
  ["INTERNAL", 1, "an unexpected failure: a bug (run with --debug and report it)"],
  ["AGENT_NOT_RUNNING", 4, "memory-only sign-ins need the agent, and none runs"],
  ["AGENT_RUNNING", 1, "`agent run` while an agent already runs for this vault"],
  ["AGENT_NOT_STARTED", 1, "`agent start` saw the agent exit or stay silent (its log says why)"],
  ["AGENT_UNRESPONSIVE", 1, "an agent holds the socket but does not answer (stopped?)"],
  ["AGENT_UNREACHABLE", 1, "the connection to the agent failed or ended"],
  ["AGENT_UNAUTHORIZED", 1, "the agent refused a request without its token"],
  ["AGENT_PROTOCOL", 1, "the agent sent an answer that is not its protocol"],
  ["AUTH_EXPIRED", 4, "an integration's sign-in expired or was revoked"],
  ["AUTH_FAILED", 4, "signing in failed"],
  ["INTEGRATION_DISCONNECTED", 4, "the integration is disconnected"],
  ["UNREACHABLE", 5, "the provider cannot be reached"],
  ["THROTTLED", 5, "the provider is throttling"],
  ["VAULT_NOT_FOUND", 6, "no vault in VAULTLINK_HOME"],
  ["VAULT_CORRUPT", 6, "the vault file is damaged (never overwritten)"],
  ["VAULT_WRONG_KEY", 6, "the vault key does not open this vault"],
  ["VAULT_LOCKED", 6, "no vault key from any key source"],
  ["VAULT_BUSY", 6, "another process holds the vault"],
  ["UNSAFE_OUTPUT", 2, "-o names a file in the vault directory (it could replace the vault)"],
  ["VAULT_HOME_UNSAFE", 6, "the vault directory is not safe for secrets (owner or permissions)"],
  ["VAULT_CHANGED", 6, "the vault changed while this command was paused; nothing was written"],
  ["KEY_SOURCE_UNAVAILABLE", 6, "the key source asked for is not available"],
  ["INVALID_KEY", 6, "not a vault key (vlk_…)"],
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
  /** Extra facts for the JSON error object (`--json`); never a secret value. */
  readonly details: Record<string, unknown> | undefined;
  constructor(
    message: string,
    options: {
      hint?: string;
      exitCode?: number;
      code?: string;
      details?: Record<string, unknown>;
    } = {},
  ) {
    super(message);
    this.name = "CliError";
    this.exitCode = options.exitCode ?? ExitCode.usage;
    this.hint = options.hint;
    this.code = options.code ?? "USAGE";
    this.details = options.details;
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
