import { CliError, ExitCode, exitCodeFor, SilentExit } from "./errors.js";

interface ErrorLike {
  name?: string;
  code?: string;
  message?: string;
  hint?: string;
  exitCode?: number;
  stack?: string;
  details?: Record<string, unknown>;
}

function isCommanderError(e: ErrorLike): boolean {
  return typeof e.code === "string" && e.code.startsWith("commander.");
}

/** Commander's error codes as ours (the JSON `code`), with the fix to print. */
const COMMANDER: Record<string, [code: string, hint: string]> = {
  "commander.unknownOption": ["UNKNOWN_OPTION", "see the command's options with --help"],
  "commander.unknownCommand": ["UNKNOWN_COMMAND", "see the commands with vaultlink --help"],
  "commander.missingArgument": ["MISSING_ARGUMENT", "see the command's arguments with --help"],
  "commander.excessArguments": ["EXCESS_ARGUMENTS", "see the command's arguments with --help"],
  "commander.optionMissingArgument": ["MISSING_OPTION_VALUE", "give the option a value"],
  "commander.missingMandatoryOptionValue": ["MISSING_OPTION_VALUE", "give the option a value"],
  "commander.invalidArgument": ["INVALID_ARGUMENT", "see the allowed values with --help"],
  "commander.conflictingOption": ["USAGE", "see the command's options with --help"],
};

/** What a failure says: one line, its fix, its stable code and the exit code. */
export interface Described {
  code: string;
  message: string;
  hint: string | undefined;
  exitCode: number;
  details?: Record<string, unknown>;
  stack?: string;
}

async function describe(error: unknown): Promise<Described | number> {
  const e = (error ?? {}) as ErrorLike;
  if (e instanceof SilentExit) return e.exitCode;
  if (isCommanderError(e)) {
    if (
      e.code === "commander.helpDisplayed" ||
      e.code === "commander.version" ||
      e.code === "commander.help"
    )
      return 0;
    const [code, hint] = COMMANDER[e.code ?? ""] ?? ["USAGE", undefined];
    const message = (e.message ?? "").replace(/^error: /, "").split("\n")[0] ?? "";
    return { code, message, hint, exitCode: ExitCode.usage };
  }
  const known =
    e instanceof CliError || (e.name === "VaultlinkError" && typeof e.code === "string");
  if (known) {
    return {
      code: e.code ?? "USAGE",
      message: e.message ?? "",
      hint: e.hint,
      exitCode: e instanceof CliError ? e.exitCode : exitCodeFor(e.code),
      ...(e.details ? { details: e.details } : {}),
      ...(e.stack ? { stack: e.stack } : {}),
    };
  }
  // An operating-system failure is the user's to fix, and says so; anything else is ours.
  const { osError } = await import("./os-errors.js");
  const os = osError(error);
  if (os)
    return {
      code: os.code,
      message: os.message,
      hint: os.hint,
      exitCode: os.exitCode,
      ...(os.details ? { details: os.details } : {}),
      ...(e.stack ? { stack: e.stack } : {}),
    };
  return {
    code: "INTERNAL",
    message: e.message ?? String(error),
    hint: "this looks like a bug; run again with --debug for details and report it",
    exitCode: ExitCode.other,
    ...(e.stack ? { stack: e.stack } : {}),
  };
}

/**
 * Print a failure and return the exit code. stderr always gets the human form: one `error:`
 * line, then `hint:` (and the stack with --debug). With --json, stdout also gets
 * `{"error":{"code","message","hint"}}` (plus `details` when there are any) on one line.
 */
export async function report(
  error: unknown,
  options: { debug: boolean; json: boolean },
): Promise<number> {
  const d = await describe(error);
  if (typeof d === "number") return d;
  process.stderr.write(`error: ${d.message}\n`);
  if (d.hint) process.stderr.write(`hint: ${d.hint}\n`);
  if (options.debug && d.stack) process.stderr.write(`${d.stack}\n`);
  if (options.json) {
    const body: Record<string, unknown> = {
      code: d.code,
      message: d.message,
      hint: d.hint ?? null,
      exitCode: d.exitCode,
      ...(d.details ? { details: d.details } : {}),
    };
    process.stdout.write(`${JSON.stringify({ error: body })}\n`);
  }
  return d.exitCode;
}

/** The arguments before `--` (after it, they belong to the command `run` starts). */
function ownArgs(argv: readonly string[]): string[] {
  const args = argv.slice(2);
  const end = args.indexOf("--");
  return end === -1 ? args : args.slice(0, end);
}

/** `vaultlink --version --json` (either order, -V for --version): commander prints plain text. */
function isVersionJson(args: readonly string[]): boolean {
  return (
    args.length === 2 &&
    args.includes("--json") &&
    (args.includes("--version") || args.includes("-V"))
  );
}

export async function main(argv: string[]): Promise<number> {
  const own = ownArgs(argv);
  const debug = own.includes("--debug");
  const json = own.includes("--json");
  try {
    if (isVersionJson(argv.slice(2))) {
      const { versionJson } = await import("./commands/version.js");
      await versionJson();
      return 0;
    }
    const { buildProgram, withoutHelpForUnknownCommand } = await import("./program.js");
    const program = buildProgram();
    await program.parseAsync(withoutHelpForUnknownCommand(program, argv));
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    return report(error, { debug, json });
  }
}
