import { resolve } from "node:path";
import { createInterface } from "node:readline/promises";
import { parseArgs } from "node:util";
import {
  defaultPackageName,
  defaultTitle,
  idFromFolder,
  packageNameProblem,
  providerIdProblem,
  tarballPrefix,
  titleProblem,
} from "./names.js";
import { ScaffoldError, scaffold } from "./scaffold.js";
import { readManifest } from "./versions.js";

export interface Io {
  cwd: string;
  /** True when questions can be asked (stdin and stdout are terminals). */
  interactive: boolean;
  out(text: string): void;
  err(text: string): void;
  /** Ask one question; the default is used for an empty answer. */
  ask?(question: string, fallback: string): Promise<string>;
}

const USAGE = `Usage: npm create @vaultlink/provider [folder] -- [options]
       create-provider [folder] [options]

Writes a vaultlink provider plugin project into a new folder: source, a stand-in service,
the conformance suite, README and a publishable package.json.

Options:
  --id <id>        provider id: lowercase letters, digits and '-' (default: from the folder)
  --name <name>    npm package name (default: vaultlink-provider-<id>)
  --title <title>  display name (default: from the id)
  --dir <folder>   the folder to create (same as the positional folder)
  -y, --yes        use the defaults for anything not given; never ask
  -h, --help       show this help
  -v, --version    show the version
`;

/** Exit codes: 0 written, 1 the folder cannot be used or writing failed, 2 bad arguments. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    // For an unknown option Node's parser also explains positionals; the first sentence is enough.
    const e = error as NodeJS.ErrnoException;
    const first = /^[^.]*\./.exec(e.message)?.[0];
    return usageError(io, e.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && first ? first : e.message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  if (values.version) {
    io.out(`${readManifest().version}\n`);
    return 0;
  }
  if (positionals.length > 1) {
    return usageError(
      io,
      `One folder at most; got ${positionals.length}: ${positionals.join(" ")}.`,
    );
  }
  if (positionals[0] !== undefined && values.dir !== undefined && positionals[0] !== values.dir) {
    return usageError(io, `Two folders given: ${positionals[0]} and --dir ${values.dir}.`);
  }
  const ask = !values.yes && io.interactive && io.ask ? io.ask : undefined;

  let folder = positionals[0] ?? values.dir;
  let id = values.id;
  if (id === undefined && folder !== undefined) id = idFromFolder(folder);
  if (id === undefined && ask) id = (await ask("Provider id (lowercase, e.g. acme-kv)", "")).trim();
  if (id === undefined || id === "") {
    return usageError(
      io,
      folder === undefined
        ? "No folder and no --id given."
        : `The folder name ${folder} does not make a provider id.`,
      "Give one: npm create @vaultlink/provider my-provider -- --id my-provider",
    );
  }
  const idProblem = providerIdProblem(id);
  if (idProblem) return usageError(io, idProblem);

  let name = values.name ?? defaultPackageName(id);
  if (values.name === undefined && ask) name = (await ask("npm package name", name)).trim();
  const nameProblem = packageNameProblem(name);
  if (nameProblem) return usageError(io, nameProblem);

  let title = values.title ?? defaultTitle(id);
  if (values.title === undefined && ask) title = (await ask("Title", title)).trim();
  const badTitle = titleProblem(title);
  if (badTitle) return usageError(io, badTitle);

  if (folder === undefined) folder = ask ? (await ask("Folder", name)).trim() : tarballPrefix(name);
  if (folder === "") return usageError(io, "The folder name is empty.");
  const target = resolve(io.cwd, folder);

  try {
    const files = await scaffold({ id, packageName: name, title, target });
    io.out(
      [
        `Created ${name} (provider id "${id}") in ${target}: ${files.length} files.`,
        "",
        "Next:",
        `  cd ${folder}`,
        "  npm install",
        "  npm test          # the vaultlink conformance suite against the stand-in service",
        "  npm pack          # builds dist/ and writes the tarball",
        `  vaultlink plugins install ./${tarballPrefix(name)}-0.1.0.tgz`,
        "",
      ].join("\n"),
    );
    return 0;
  } catch (error) {
    if (error instanceof ScaffoldError) {
      io.err(`error: ${error.message}\nhint: ${error.hint}\n`);
      return 1;
    }
    const e = error as NodeJS.ErrnoException;
    io.err(
      `error: could not write ${target}${e.code ? ` (${e.code})` : ""}: ${e.message}\nhint: check that the folder above it exists and is writable.\n`,
    );
    return 1;
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      id: { type: "string" },
      name: { type: "string" },
      title: { type: "string" },
      dir: { type: "string" },
      yes: { type: "boolean", short: "y" },
      help: { type: "boolean", short: "h" },
      version: { type: "boolean", short: "v" },
    },
  });
}

function usageError(
  io: Io,
  message: string,
  hint = "Run create-provider --help for the options.",
): number {
  io.err(`error: ${message}\nhint: ${hint}\n`);
  return 2;
}

/** The process's terminal, for bin.ts. */
export function processIo(): Io {
  const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  return {
    cwd: process.cwd(),
    interactive,
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    async ask(question, fallback) {
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      try {
        const answer = await rl.question(
          fallback ? `${question} (${fallback}): ` : `${question}: `,
        );
        return answer.trim() === "" ? fallback : answer;
      } finally {
        rl.close();
      }
    },
  };
}
