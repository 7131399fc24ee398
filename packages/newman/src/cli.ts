import { Command, InvalidArgumentError, Option } from "commander";
import { collectionIdentity } from "./grants.js";
import { formatUnresolved } from "./report.js";
import { openUserVault, run, type UnresolvedMode } from "./run.js";

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new InvalidArgumentError("expected a whole number of 0 or more.");
  return n;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `--env-var key=value` as Newman takes it. */
function keyValues(
  list: readonly string[] | undefined,
): Array<{ key: string; value: string }> | undefined {
  if (!list) return undefined;
  return list.map((entry) => {
    const at = entry.indexOf("=");
    if (at <= 0) throw new InvalidArgumentError(`"${entry}" is not key=value.`);
    return { key: entry.slice(0, at), value: entry.slice(at + 1) };
  });
}

/**
 * `--reporter-<name>-<option> value` for each reporter in `-r`, as Newman reads them:
 * e.g. `--reporter-junit-export out.xml` becomes `{ junit: { export: "out.xml" } }`.
 */
export function reporterOptions(
  argv: readonly string[],
  reporters: readonly string[],
): { options: Record<string, Record<string, string | boolean>>; rest: string[] } {
  const options: Record<string, Record<string, string | boolean>> = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const match = /^--reporter-(.+?)(?:=(.*))?$/.exec(arg);
    const reporter = match ? reporters.find((r) => match[1]?.startsWith(`${r}-`)) : undefined;
    if (!match || !reporter) {
      rest.push(arg);
      continue;
    }
    const key = (match[1] as string)
      .slice(reporter.length + 1)
      .replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
    let value: string | boolean = true;
    if (match[2] !== undefined) value = match[2];
    else if (argv[i + 1] !== undefined && !(argv[i + 1] as string).startsWith("-"))
      value = argv[++i] as string;
    options[reporter] = { ...options[reporter], [key]: value };
  }
  return { options, rest };
}

export function program(): Command {
  const cmd = new Command("vaultlink-newman")
    .description("Run Postman collections with Newman, with vaultlink as the vault.")
    .showHelpAfterError()
    .exitOverride();
  cmd
    .command("run")
    .description("Run a collection as `newman run` does, resolving {{vault:…}} from your vault.")
    .argument("<collection>", "a path or URL to a Postman collection (v2.0/v2.1 JSON)")
    .option("-e, --environment <path>", "a Postman environment file")
    .option("-g, --globals <path>", "a Postman globals file")
    .option("-d, --iteration-data <path>", "a data file for iterations (JSON or CSV)")
    .option("-n, --iteration-count <n>", "number of iterations", integer)
    .option("-r, --reporters <list>", "reporters, comma-separated (cli, json, junit, …)", "cli")
    .option("--folder <name>", "run only this folder (repeatable)", collect)
    .option("--env-var <key=value>", "set an environment variable (repeatable)", collect)
    .option("--global-var <key=value>", "set a global variable (repeatable)", collect)
    .option("--export-environment <path>", "write the final environment to a file")
    .option("--export-globals <path>", "write the final globals to a file")
    .option("--export-collection <path>", "write the executed collection to a file")
    .option("--bail [modifiers]", "stop on the first error (modifiers: folder, failure)")
    .option("--ignore-redirects", "do not follow 3XX redirects")
    .option("-x, --suppress-exit-code", "exit 0 even when the run failed")
    .option("--silent", "no output from Newman")
    .option("--color <value>", "colored output: auto, on or off", "auto")
    .option("--delay-request <ms>", "delay between requests", integer)
    .option("--timeout <ms>", "timeout for the whole run", integer)
    .option("--timeout-request <ms>", "timeout for each request", integer)
    .option("--timeout-script <ms>", "timeout for each script", integer)
    .option("--working-dir <path>", "working directory for file uploads")
    .option("--no-insecure-file-read", "refuse files outside the working directory")
    .option("-k, --insecure", "skip TLS certificate checks")
    .option("--verbose", "show details of each request")
    .addOption(
      new Option(
        "--vault-unresolved <mode>",
        "an unresolvable {{vault:…}}: keep it as written (Postman) or stop the request",
      )
        .choices(["keep", "error"])
        .default("keep"),
    )
    .option(
      "--vault-scripts",
      'enable pm.vault in scripts (Postman\'s "Enable support in scripts")',
    )
    .option(
      "--vault-grant",
      "grant this collection's scripts access to the vault for this run (with --vault-scripts; or remember it: vaultlink-newman grant)",
    )
    .allowUnknownOption(false)
    .action(async () => {});
  cmd
    .command("grant")
    .description(
      "remember in the vault that this collection's scripts may use pm.vault (as it is now: a changed collection needs a new grant)",
    )
    .argument("<collection>", "the collection file")
    .action(async () => {});
  cmd
    .command("revoke")
    .description("forget a collection's pm.vault grant")
    .argument("<collection>", "the collection file, or the id `grants` lists")
    .action(async () => {});
  cmd
    .command("grants")
    .description("list the collections whose scripts hold a pm.vault grant")
    .action(async () => {});
  return cmd;
}

/** `grant`, `revoke` and `grants`: remembered pm.vault grants, in the user's vault. */
async function grantCommand(name: string, target: string | undefined): Promise<number> {
  const vault = await openUserVault(undefined, (text) => process.stderr.write(text));
  try {
    if (name === "grants") {
      const grants = await vault.scriptGrants.list();
      if (grants.length === 0) process.stdout.write("No collection holds a pm.vault grant.\n");
      for (const g of grants)
        process.stdout.write(`${g.collection}  "${g.label}"  granted ${g.grantedAt}\n`);
      return 0;
    }
    if (name === "grant") {
      const identity = collectionIdentity(target);
      await vault.scriptGrants.grant({
        collection: identity.id,
        label: identity.label,
        digest: identity.digest,
      });
      process.stdout.write(
        `The scripts of "${identity.label}" (${identity.id}) may use pm.vault in runs with --vault-scripts, as the collection is now; a changed collection needs a new grant.\n`,
      );
      return 0;
    }
    let id = target as string;
    try {
      id = collectionIdentity(target).id;
    } catch {
      // Not a collection file: an id as `grants` lists it.
    }
    if (!(await vault.scriptGrants.revoke(id))) {
      process.stderr.write(
        `vaultlink-newman: no pm.vault grant for ${id}.\n  See the granted collections: vaultlink-newman grants\n`,
      );
      return 2;
    }
    process.stdout.write(`The pm.vault grant of ${id} is revoked.\n`);
    return 0;
  } finally {
    await vault.dispose();
  }
}

/** Run the CLI; returns the exit code (0 ok, 1 run failed, 2 bad input or vault problem). */
export async function main(argv: readonly string[]): Promise<number> {
  const reportersAt = argv.findIndex(
    (a) => a === "-r" || a === "--reporters" || a.startsWith("--reporters="),
  );
  const reporterList = (
    reportersAt >= 0
      ? ((argv[reportersAt]?.includes("=")
          ? argv[reportersAt]?.split("=")[1]
          : argv[reportersAt + 1]) ?? "cli")
      : "cli"
  )
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const { options: reporter, rest } = reporterOptions(argv, reporterList);
  const cmd = program();
  let parsed: { args: string[]; opts: Record<string, unknown> } | undefined;
  let grantAction: { name: string; target?: string } | undefined;
  for (const sub of cmd.commands) {
    if (sub.name() === "run")
      sub.action((collection: string, opts: Record<string, unknown>) => {
        parsed = { args: [collection], opts };
      });
    else
      sub.action((target?: string) => {
        grantAction = {
          name: sub.name(),
          ...(typeof target === "string" ? { target } : {}),
        };
      });
  }
  try {
    await cmd.parseAsync(rest as string[], { from: "user" });
  } catch (error) {
    const code = (error as { exitCode?: number }).exitCode;
    return code === 0 ? 0 : 2;
  }
  if (grantAction) {
    try {
      return await grantCommand(grantAction.name, grantAction.target);
    } catch (error) {
      const e = error as { message?: string; hint?: string };
      process.stderr.write(`vaultlink-newman: ${e.message ?? String(error)}\n`);
      if (e.hint) process.stderr.write(`  ${e.hint}\n`);
      return 2;
    }
  }
  if (!parsed) return 0;
  const o = parsed.opts;
  try {
    const result = await run({
      collection: parsed.args[0],
      environment: o.environment,
      globals: o.globals,
      iterationData: o.iterationData,
      iterationCount: o.iterationCount,
      reporters: reporterList,
      reporter,
      folder: o.folder,
      envVar: keyValues(o.envVar as string[] | undefined),
      globalVar: keyValues(o.globalVar as string[] | undefined),
      exportEnvironment: o.exportEnvironment,
      exportGlobals: o.exportGlobals,
      exportCollection: o.exportCollection,
      bail: o.bail,
      ignoreRedirects: o.ignoreRedirects,
      suppressExitCode: o.suppressExitCode,
      silent: o.silent,
      color: o.color,
      delayRequest: o.delayRequest,
      timeout: o.timeout,
      timeoutRequest: o.timeoutRequest,
      timeoutScript: o.timeoutScript,
      workingDir: o.workingDir,
      insecureFileRead: o.insecureFileRead,
      insecure: o.insecure,
      verbose: o.verbose,
      vaultUnresolved: o.vaultUnresolved as UnresolvedMode,
      vaultScripts: Boolean(o.vaultScripts),
      vaultGrant: Boolean(o.vaultGrant),
    });
    process.stderr.write(formatUnresolved(result));
    return result.failed && !o.suppressExitCode ? 1 : 0;
  } catch (error) {
    const e = error as { message?: string; hint?: string; code?: string };
    process.stderr.write(`vaultlink-newman: ${e.message ?? String(error)}\n`);
    if (e.hint) process.stderr.write(`  ${e.hint}\n`);
    return 2;
  }
}
