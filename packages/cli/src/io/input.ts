import { CliError, ExitCode, usage } from "../errors.js";
import { interactive, stdinIsTTY } from "./term.js";

/**
 * Bytes as UTF-8 text, refusing anything that is not valid UTF-8: decoding it would silently
 * replace those bytes with U+FFFD and store a different value than the one given.
 */
export function utf8Text(bytes: Uint8Array, what: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new CliError(`${what.charAt(0).toUpperCase()}${what.slice(1)} is not valid UTF-8 text.`, {
      hint: "vaultlink keeps text: convert the input to UTF-8 (iconv -t UTF-8), or store binary data base64-encoded (base64 < file | vaultlink …).",
      exitCode: ExitCode.usage,
      code: "INVALID_INPUT",
    });
  }
}

/** All of stdin as text (refused when it is not UTF-8). */
export async function readStdin(what = "stdin"): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return utf8Text(Buffer.concat(chunks), what);
}

/** Drop one trailing newline (what `echo` and here-strings add), nothing else. */
export function chompOne(text: string): string {
  return text.replace(/\r?\n$/, "");
}

type Clack = typeof import("@clack/prompts");
let clack: Promise<Clack> | undefined;
/** @clack/prompts, imported only when a prompt is actually shown. */
export function prompts(): Promise<Clack> {
  clack ??= import("@clack/prompts");
  return clack;
}

/** A prompt left with Ctrl-C (or Escape): the exit code of an interrupted command. */
function cancelled(): CliError {
  return new CliError("Cancelled.", { exitCode: ExitCode.interrupted, code: "CANCELLED" });
}

/** A masked prompt on the terminal (written to stderr so stdout stays clean). */
export async function askSecret(
  message: string,
  validate?: (v: string) => string | undefined,
): Promise<string> {
  const p = await prompts();
  const answer = await p.password({
    message,
    output: process.stderr,
    validate: (v) =>
      validate ? validate(v ?? "") : (v ?? "") === "" ? "A value is required." : undefined,
  });
  if (p.isCancel(answer)) throw cancelled();
  return answer;
}

export async function askConfirm(message: string, initialValue: boolean): Promise<boolean> {
  const p = await prompts();
  const answer = await p.confirm({ message, initialValue, output: process.stderr });
  if (p.isCancel(answer)) throw cancelled();
  return answer;
}

export async function askText(
  message: string,
  options: { placeholder?: string; defaultValue?: string } = {},
): Promise<string> {
  const p = await prompts();
  const answer = await p.text({ message, output: process.stderr, ...options });
  if (p.isCancel(answer)) throw cancelled();
  return answer;
}

export async function askSelect<T extends string>(
  message: string,
  choices: Array<{ value: T; label: string; hint?: string }>,
): Promise<T> {
  const p = await prompts();
  const answer = await p.select<T>({ message, options: choices as never, output: process.stderr });
  if (p.isCancel(answer)) throw cancelled();
  return answer as T;
}

/** Run `fn` with the spinner stopped (a prompt needs the terminal). */
export type HoldSpinner = <R>(fn: () => Promise<R>) => Promise<R>;

/**
 * Show a spinner on a TTY while `work` runs (network work only). `work` gets `hold`, to stop
 * the spinner while it asks the person something.
 */
export async function withSpinner<T>(
  message: string,
  work: (hold: HoldSpinner) => Promise<T>,
): Promise<T> {
  if (!process.stderr.isTTY) return work((fn) => fn());
  const p = await prompts();
  const s = p.spinner({ output: process.stderr });
  s.start(message);
  const hold: HoldSpinner = async (fn) => {
    s.stop(message);
    try {
      return await fn();
    } finally {
      s.start(message);
    }
  };
  try {
    const result = await work(hold);
    s.stop(message);
    return result;
  } catch (error) {
    s.stop(`${message} failed`);
    throw error;
  }
}

/**
 * What a sign-in may ask the person (an MFA code), when stdin and stderr are a terminal;
 * undefined otherwise, so the provider says which option to give instead.
 */
export function signInQuestions(
  hold: HoldSpinner,
): ((q: { name: string; message: string; secret?: boolean }) => Promise<string>) | undefined {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return undefined;
  return (q) => hold(() => (q.secret ? askSecret(q.message) : askText(q.message)));
}

/**
 * A secret value: a masked prompt on a terminal, otherwise stdin. Never from argv.
 * `what` names it in messages ("the value of stripe-key").
 */
export async function readSecretValue(
  what: string,
  options: { confirm?: boolean } = {},
): Promise<string> {
  if (stdinIsTTY()) {
    if (!interactive())
      throw usage(`No terminal to ask for ${what} on.`, "Pipe the value on stdin.");
    const value = await askSecret(`Enter ${what}`);
    if (options.confirm) {
      const again = await askSecret(`Repeat ${what}`);
      if (again !== value)
        throw usage(
          "The two entries differ.",
          "Run the command again and type the same value twice.",
        );
    }
    return value;
  }
  const value = chompOne(await readStdin(`${what} on stdin`));
  if (value === "")
    throw usage(
      `stdin was empty, so ${what} was not given.`,
      "Pipe the value on stdin, or run the command on a terminal to be prompted.",
    );
  return value;
}

/** Refuse secrets on the command line, explaining why. */
export function refuseArgvSecret(what: string): CliError {
  return usage(
    `${what} is never taken from the command line: it would be saved in your shell history and be visible to other processes.`,
    'Type it at the masked prompt (run on a terminal), or pipe it on stdin: printf %s "$VALUE" | vaultlink …',
  );
}
