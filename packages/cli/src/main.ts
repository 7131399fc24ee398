import { CliError, ExitCode, exitCodeFor, SilentExit } from "./errors.js";

interface ErrorLike {
  name?: string;
  code?: string;
  message?: string;
  hint?: string;
  exitCode?: number;
  stack?: string;
}

function isCommanderError(e: ErrorLike): boolean {
  return typeof e.code === "string" && e.code.startsWith("commander.");
}

const COMMANDER_HINTS: Record<string, string> = {
  "commander.unknownOption": "see the command's options with --help",
  "commander.unknownCommand": "see the commands with vaultlink --help",
  "commander.missingArgument": "see the command's arguments with --help",
  "commander.excessArguments": "see the command's arguments with --help",
  "commander.optionMissingArgument": "give the option a value",
  "commander.invalidArgument": "see the allowed values with --help",
};

/** Print one error line (plus a hint) and return the exit code. */
export function report(error: unknown, debug: boolean): number {
  const e = (error ?? {}) as ErrorLike;
  if (e instanceof SilentExit) return e.exitCode;
  if (isCommanderError(e)) {
    if (
      e.code === "commander.helpDisplayed" ||
      e.code === "commander.version" ||
      e.code === "commander.help"
    )
      return 0;
    const msg = (e.message ?? "").replace(/^error: /, "");
    process.stderr.write(`error: ${msg.split("\n")[0]}\n`);
    const hint = COMMANDER_HINTS[e.code ?? ""];
    if (hint) process.stderr.write(`hint: ${hint}\n`);
    return ExitCode.usage;
  }
  const known =
    e instanceof CliError || (e.name === "VaultlinkError" && typeof e.code === "string");
  if (known) {
    process.stderr.write(`error: ${e.message}\n`);
    if (e.hint) process.stderr.write(`hint: ${e.hint}\n`);
    if (debug && e.stack) process.stderr.write(`${e.stack}\n`);
    return e instanceof CliError ? e.exitCode : exitCodeFor(e.code);
  }
  process.stderr.write(`error: ${e.message ?? String(error)}\n`);
  if (debug && e.stack) process.stderr.write(`${e.stack}\n`);
  else
    process.stderr.write(
      "hint: this looks like a bug; run again with --debug for details and report it\n",
    );
  return ExitCode.other;
}

export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes("--debug");
  try {
    const { buildProgram } = await import("./program.js");
    await buildProgram().parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    return report(error, debug);
  }
}
