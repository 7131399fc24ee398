import { statSync } from "node:fs";
import { dirname } from "node:path";
import { CliError, ExitCode } from "./errors.js";
import { vaultHome } from "./home.js";

/**
 * Operating-system failures (a Node errno error) as a CliError that names the path and the fix,
 * instead of "this looks like a bug". The JSON code is `OS_<errno>`.
 */

interface ErrnoLike {
  code?: unknown;
  syscall?: unknown;
  path?: unknown;
  dest?: unknown;
  message?: unknown;
}

const WHAT: Record<string, (where: string) => [message: string, hint: string]> = {
  ENOENT: (w) => [
    `${w} does not exist.`,
    "Check the path; create the missing directory first (mkdir -p), or choose another path.",
  ],
  EACCES: (w) => [
    `Permission denied: ${w}.`,
    "Check the owner and permissions of the file and of its directory, or choose another path.",
  ],
  EPERM: (w) => [
    `The operating system does not permit this on ${w}.`,
    "Check the owner, permissions and flags (immutable, append-only) of the file and its directory.",
  ],
  ENOSPC: (w) => [
    `No space left on the device of ${w}.`,
    "Free some disk space and run the command again; a failed write leaves the old file as it was.",
  ],
  EDQUOT: (w) => [
    `The disk quota is used up for ${w}.`,
    "Free some space in your quota and run the command again.",
  ],
  EISDIR: (w) => [`${w} is a directory, not a file.`, "Give the path of a file."],
  ENOTDIR: (w) => [
    `A part of ${w} is a file where a directory is expected.`,
    "Check the path: every part but the last must be a directory.",
  ],
  EROFS: (w) => [`${w} is on a read-only file system.`, "Choose a location you can write to."],
  EEXIST: (w) => [`${w} exists already.`, "Remove it or choose another path."],
  ENAMETOOLONG: (w) => [`The path ${w} is too long.`, "Choose a shorter path."],
  ELOOP: (w) => [`${w} has a loop of symbolic links.`, "Fix the links or choose another path."],
  EMFILE: () => [
    "Too many files are open in this process.",
    "Raise the limit (ulimit -n) and run the command again.",
  ],
  ENFILE: () => [
    "The system has too many open files.",
    "Close some programs and run the command again.",
  ],
  EBUSY: (w) => [`${w} is busy.`, "Wait for the program using it to finish, then try again."],
  ETXTBSY: (w) => [`${w} is busy.`, "Wait for the program using it to finish, then try again."],
  EIO: (w) => [
    `The disk reported an input/output error on ${w}.`,
    "Check the disk (dmesg, fsck) before trying again.",
  ],
  EXDEV: (w) => [
    `${w} cannot be moved across file systems.`,
    "Choose a path on the same file system.",
  ],
  E2BIG: () => [
    "The command's arguments and environment are too big for the operating system (spawn E2BIG).",
    "A resolved value is too large for an environment variable: write it to a file instead (vaultlink resolve --out <file>) and pass the file's path.",
  ],
};

function isErrno(e: unknown): e is ErrnoLike & { code: string } {
  return (
    typeof e === "object" &&
    e !== null &&
    typeof (e as ErrnoLike).code === "string" &&
    /^E[A-Z0-9]+$/.test((e as ErrnoLike).code as string) &&
    (typeof (e as ErrnoLike).syscall === "string" || typeof (e as ErrnoLike).path === "string")
  );
}

/** The first existing path at or above `path`; the check for "VAULTLINK_HOME is a file". */
function firstExisting(path: string): { path: string; isDirectory: boolean } | undefined {
  for (let p = path; ; p = dirname(p)) {
    try {
      return { path: p, isDirectory: statSync(p).isDirectory() };
    } catch {
      if (dirname(p) === p) return undefined;
    }
  }
}

/**
 * A clear error when the vault directory cannot be a directory (VAULTLINK_HOME, or a directory
 * above it, is a file); undefined when it can.
 */
export function homeProblem(): CliError | undefined {
  const home = vaultHome();
  const found = firstExisting(home);
  if (!found || found.isDirectory) return undefined;
  const fromEnv = Boolean(process.env.VAULTLINK_HOME?.trim());
  const what =
    found.path === home ? `${home} is a file` : `${found.path}, above ${home}, is a file`;
  return new CliError(
    fromEnv
      ? `VAULTLINK_HOME must be a directory, but ${what}.`
      : `The vault directory cannot be created: ${what}.`,
    {
      hint: fromEnv
        ? "Point VAULTLINK_HOME at a directory (or at a path that does not exist yet; it is created)."
        : "Move that file away, or set VAULTLINK_HOME to a directory.",
      exitCode: ExitCode.usage,
      code: "HOME_NOT_A_DIRECTORY",
    },
  );
}

/** `error` (or its cause) as an OS failure with message and fix; undefined for anything else. */
export function osError(error: unknown): CliError | undefined {
  let e: unknown = error;
  for (let depth = 0; depth < 3 && e && !isErrno(e); depth++) e = (e as { cause?: unknown }).cause;
  if (!isErrno(e)) return undefined;
  if (e.code === "ENOTDIR" || e.code === "EEXIST") {
    const home = homeProblem();
    if (home) return home;
  }
  const path = typeof e.path === "string" ? e.path : undefined;
  const where = path ?? (typeof e.syscall === "string" ? `(${e.syscall})` : "a file");
  const describe = WHAT[e.code];
  const [message, hint] = describe
    ? describe(where)
    : [
        `The operating system refused ${typeof e.syscall === "string" ? e.syscall : "an operation"}${path ? ` on ${path}` : ""} (${e.code}).`,
        "Check the path and its permissions, and the free disk space, then try again.",
      ];
  return new CliError(message, {
    hint,
    exitCode: ExitCode.other,
    code: `OS_${e.code}`,
    details: {
      errno: e.code,
      ...(typeof e.syscall === "string" ? { syscall: e.syscall } : {}),
      ...(path ? { path } : {}),
    },
  });
}
