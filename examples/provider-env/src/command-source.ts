import type { ExecFileException } from "node:child_process";
import type { ProviderErrorCode } from "@vaultlink/core/plugin";

export type CommandOutcome =
  | { ok: true; value: string }
  | { ok: false; code: ProviderErrorCode; message: string; hint: string };

const MAX_OUTPUT_BYTES = 1024 * 1024;

/**
 * Run one configured command without a shell and take its trimmed stdout as the value.
 * Failures name the command and never carry its output: it may be half a secret, and stderr
 * of a failing secret tool often echoes what it was asked for.
 */
export async function runCommand(
  name: string,
  argv: readonly string[],
  timeoutMs: number,
): Promise<CommandOutcome> {
  // Imported here, like an SDK would be: a cache hit in the host never loads it.
  const { execFile } = await import("node:child_process");
  const [file, ...args] = argv as [string, ...string[]];
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      {
        timeout: timeoutMs,
        maxBuffer: MAX_OUTPUT_BYTES,
        windowsHide: true,
        encoding: "utf8",
      },
      (error, stdout) => {
        if (!error) {
          const value = stdout.trim();
          resolve(
            value === ""
              ? fail(
                  "NOT_FOUND",
                  `The command "${name}" printed nothing.`,
                  "Run it yourself and check it prints the secret on stdout.",
                )
              : { ok: true, value },
          );
          return;
        }
        resolve(describeFailure(name, file, timeoutMs, error));
      },
    );
  });
}

function describeFailure(
  name: string,
  file: string,
  timeoutMs: number,
  error: ExecFileException,
): CommandOutcome {
  const code = error.code;
  if (code === "ENOENT") {
    return fail(
      "UNREACHABLE",
      `The command "${name}" cannot run: ${file} was not found.`,
      "Install it, or fix its path in the commands setting.",
    );
  }
  if (code === "EACCES" || code === "EPERM") {
    return fail(
      "PERMISSION_DENIED",
      `The command "${name}" cannot run: ${file} is not executable by this user.`,
      `Make it executable (chmod +x ${file}) or fix its path in the commands setting.`,
    );
  }
  if (error.killed && error.signal) {
    return fail(
      "UNREACHABLE",
      `The command "${name}" did not finish within ${timeoutMs} ms.`,
      "Raise the timeoutMs setting, or check that the command does not wait for input.",
    );
  }
  if (code === "ERR_CHILD_PROCESS_STDIO_MAXBUFFER") {
    return fail(
      "PROVIDER_ERROR",
      `The command "${name}" printed more than ${MAX_OUTPUT_BYTES} bytes.`,
      "Make it print only the secret.",
    );
  }
  const exit = typeof code === "number" ? `exited with code ${code}` : "failed";
  return fail(
    "PROVIDER_ERROR",
    `The command "${name}" ${exit}; its output is not shown because it may contain secrets.`,
    "Run it yourself to see why.",
  );
}

function fail(code: ProviderErrorCode, message: string, hint: string): CommandOutcome {
  return { ok: false, code, message, hint };
}
