import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { askAgent, runningAgent } from "../agent-link.js";
import { CliError, ExitCode, usage } from "../errors.js";
import { refuseVaultDirOutput, writePrivateFile } from "../io/files.js";
import { readStdin, utf8Text } from "../io/input.js";
import { err, printJson } from "../io/term.js";
import { UNRESOLVED_LISTED, unresolvedError } from "../unresolved.js";
import { type Opts, withVault } from "./common.js";

async function templateText(template: string | undefined, opts: Opts): Promise<string> {
  if (template !== undefined && opts.file !== undefined)
    throw usage("Give the template as an argument or with --file, not both.");
  if (template !== undefined) return template;
  if (typeof opts.file === "string") {
    let bytes: Buffer;
    try {
      bytes = await readFile(opts.file);
    } catch (error) {
      throw new CliError(
        `Cannot read ${opts.file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`,
        { exitCode: ExitCode.usage },
      );
    }
    return utf8Text(bytes, `the template file ${opts.file}`);
  }
  if (process.stdin.isTTY)
    throw usage("No template given.", "Pass it as an argument, with --file, or on stdin.");
  return readStdin("the template on stdin");
}

export async function resolve(
  template: string | undefined,
  opts: Opts,
  cmd: Command,
): Promise<void> {
  if (typeof opts.out === "string") await refuseVaultDirOutput(opts.out);
  const text = await templateText(template, opts);
  const resolveOpts = typeof opts.url === "string" ? { url: opts.url } : {};
  const agent = await runningAgent();
  const result = agent
    ? await askAgent(agent, (a) => a.resolveTemplate(text, resolveOpts))
    : await withVault(cmd, (o) => o.vault.resolveTemplate(text, resolveOpts));
  if (result.unresolved.length > 0 && opts.allowUnresolved !== true)
    throw unresolvedError(result.unresolved);
  for (const u of result.unresolved.slice(0, UNRESOLVED_LISTED))
    err(`warning: ${u.written ?? `{{vault:${u.name}}}`} left as written (${u.reason}): ${u.fix}`);
  const more = result.unresolved.length - UNRESOLVED_LISTED;
  if (more > 0)
    err(`warning: … and ${more.toLocaleString("en-US")} more references left as written`);
  if (typeof opts.out === "string") {
    await refuseVaultDirOutput(opts.out);
    await writePrivateFile(
      opts.out,
      opts.json === true ? `${JSON.stringify(result, null, 2)}\n` : result.text,
    );
    return;
  }
  if (opts.json === true) printJson(result);
  else process.stdout.write(result.text);
}
