import { RootCommand, script } from "@bomb.sh/tab";
import { listVaultNames } from "@vaultlink/core/quick";
import type { Command, Option } from "commander";
import { buildProgram, defineAllGroups } from "./program.js";

/**
 * Shell completion through @bomb.sh/tab: `vaultlink completion <shell>` prints the library's
 * script for bash, zsh or fish, which calls back `vaultlink complete -- <words>` at each TAB.
 * The answer comes from the same commander definitions as --help and docs/cli.md, plus the
 * vault's secret names and integration ids, never a value.
 */

/** `vaultlink completion <shell>`: the completion script for that shell, on stdout. */
export async function printScript(shell: string): Promise<void> {
  script(shell, "vaultlink", "vaultlink");
}

type Names = { secrets: string[]; integrations: string[] };

/**
 * Which arguments name a secret or an integration of the vault, by command path and argument
 * name: the candidates the vault supplies.
 */
function namesFor(path: string, argument: string, names: Names): string[] | undefined {
  if (argument === "integration" || (path.startsWith("integration ") && argument === "id")) {
    return names.integrations;
  }
  if (
    (path === "read" || path.startsWith("secret ")) &&
    (argument === "name" || argument === "old")
  )
    return names.secrets;
  return undefined;
}

function isHidden(o: Option): boolean {
  return (o as Option & { hidden?: boolean }).hidden === true;
}

/** The completion tree tab walks, from the commander definitions. */
function completionTree(program: Command, names: Names): RootCommand {
  const root = new RootCommand();
  // Options belong to the command they follow (program options come before the command).
  root.optionLookupMode = "local";
  const addOptions = (target: RootCommand | ReturnType<RootCommand["command"]>, cmd: Command) => {
    for (const o of cmd.createHelp().visibleOptions(cmd)) {
      if (isHidden(o) || !o.long) continue;
      const long = o.long.slice(2);
      const short = o.short?.slice(1);
      const takesValue = o.required || o.optional;
      const choices = (o as Option & { argChoices?: string[] }).argChoices ?? [];
      if (takesValue) {
        target.option(
          long,
          o.description,
          (complete) => {
            for (const c of choices) complete(c, "");
          },
          short,
        );
      } else {
        target.option(long, o.description, short);
      }
    }
  };
  addOptions(root, program);
  const walk = (cmd: Command, prefix: string) => {
    for (const sub of cmd.createHelp().visibleCommands(cmd)) {
      const path = prefix ? `${prefix} ${sub.name()}` : sub.name();
      const node = root.command(path, sub.description());
      addOptions(node, sub);
      for (const a of sub.registeredArguments) {
        const fromVault = namesFor(path, a.name(), names);
        const candidates = fromVault ?? a.argChoices ?? [];
        node.argument(
          a.name(),
          (complete) => {
            for (const c of candidates) complete(c, "");
          },
          a.variadic,
        );
      }
      walk(sub, path);
    }
  };
  walk(program, "");
  return root;
}

/**
 * `vaultlink complete -- <words>` (called by the completion script): one candidate per line,
 * then tab's directive line. Names come from the vault only when its key is at hand without
 * asking (VAULTLINK_VAULT_KEY or the OS keychain); otherwise none are offered and nothing is
 * printed on stderr, so a TAB never prompts or shows an error.
 */
export async function complete(words: string[]): Promise<void> {
  const names = (await listVaultNames()) ?? { secrets: [], integrations: [] };
  const program = defineAllGroups(buildProgram());
  completionTree(program, names).parse(words);
}
