import type { Command, Option } from "commander";
import { ERROR_CODE_DOCS, EXIT_CODE_DOCS } from "./errors.js";
import { writeWhenRunDirectly } from "./generated-file.js";
import { buildProgram, defineAllGroups, listedCommands } from "./program.js";

/**
 * docs/cli.md, generated from the commander definitions in program.ts: every command with its
 * arguments and options. Run `pnpm --filter @vaultlink/cli run docs` after changing a command.
 */
function usageOf(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return `${names.join(" ")} ${cmd.usage()}`.trim();
}

function visibleOptions(cmd: Command): Option[] {
  return cmd.options.filter((o) => !(o as Option & { hidden?: boolean }).hidden);
}

function section(cmd: Command, depth: number, lines: string[]): void {
  if (cmd.commands.length === 0 || cmd.parent === null) {
    if (cmd.parent !== null) {
      lines.push(
        `${"#".repeat(Math.min(depth, 4))} \`${usageOf(cmd)}\``,
        "",
        cmd.description(),
        "",
      );
      const args = cmd.registeredArguments.filter((a) => a.description);
      if (args.length) {
        lines.push("| Argument | Description |", "|---|---|");
        for (const a of args)
          lines.push(
            `| \`${a.name()}${a.variadic ? "..." : ""}\` | ${a.description.replace(/\|/g, "\\|")} |`,
          );
        lines.push("");
      }
      const opts = visibleOptions(cmd);
      if (opts.length) {
        lines.push("| Option | Description |", "|---|---|");
        for (const o of opts) {
          const choices = (o as Option & { argChoices?: string[] }).argChoices;
          const desc = `${o.description}${choices ? ` (${choices.join(", ")})` : ""}`;
          lines.push(`| \`${o.flags}\` | ${desc.replace(/\|/g, "\\|")} |`);
        }
        lines.push("");
      }
    }
  } else {
    lines.push(`${"#".repeat(Math.min(depth, 4))} ${cmd.name()}`, "", cmd.description(), "");
  }
  // Hidden commands (the completion script's callback) are not for people.
  for (const sub of listedCommands(cmd)) section(sub, depth + 1, lines);
}

export function renderCliDocs(): string {
  const program = defineAllGroups(buildProgram());
  // A fixed width, so the output does not depend on the terminal it was generated in.
  program.configureHelp({ helpWidth: 100 });
  const lines: string[] = [
    "<!-- Generated from packages/cli/src/program.ts by `pnpm --filter @vaultlink/cli run docs`. Do not edit. -->",
    "",
    "# vaultlink CLI reference",
    "",
    program.description(),
    "",
    "```",
    program.helpInformation().trimEnd(),
    "```",
    "",
    "## Exit codes",
    "",
    "| Code | Meaning |",
    "|---|---|",
    ...EXIT_CODE_DOCS.map(([code, text]) => `| ${code} | ${text} |`),
    "",
    "A failing command prints one line `error: <what happened>`, usually followed by",
    "`hint: <what to do>`, and never a stack trace (`--debug` shows it). A failing command",
    "leaves the vault file byte-for-byte as it was. Failures of the operating system (a missing",
    "directory, no permission, a full or read-only disk, an environment too big for `run`) name",
    "the path and the fix; only an unexpected failure asks for a bug report.",
    "",
    "Ctrl-C exits 130 and SIGTERM 143; every write is atomic, so an interrupted command loses",
    "nothing.",
    "",
    "## Errors as JSON",
    "",
    "When `--json` is on the command line (before any `--`), a failure also prints one line of",
    "JSON on stdout, so a script reading stdout always gets JSON:",
    "",
    "```json",
    '{"error":{"code":"INVALID_NAME","message":"…","hint":"…","exitCode":2}}',
    "```",
    "",
    "`hint` is `null` when there is no fix to suggest; `details` is added when there are",
    "non-secret facts (`details.unresolved` lists every unresolved reference with its reason and",
    "fix; `details.path` and `details.errno` name an operating-system failure). The human",
    "`error:`/`hint:` lines still go to stderr, so a person watching a script sees them. The",
    "process exits with `exitCode`. Branch on `code`, never on `message`:",
    "",
    "| Code | Exit | Meaning |",
    "|---|---|---|",
    ...ERROR_CODE_DOCS.map(([code, exit, text]) => `| \`${code}\` | ${exit} | ${text} |`),
    "",
    "`vaultlink run` passes its command's exit code through once the command has started (128 +",
    "the signal number when a signal ended it); a command that cannot be found exits 127.",
    "",
    "`vaultlink run` resolves every referenced value once; the same values go into the",
    "command's environment and into the masking (a one-time code is masked as exactly the code",
    "the command got). The command's environment never holds vaultlink's key material:",
    "`VAULTLINK_VAULT_KEY`, `VAULTLINK_EXPORT_PASSWORD` and any variable holding one of their",
    "values are removed, unless named with `--keep-env` (e.g. for a nested vaultlink).",
    "",
    "`vaultlink run` masks resolved values (and their URL-encoded and JSON-escaped forms) in the",
    "command's stdout and stderr. **The guarantee: no run of 8 or more consecutive characters of a",
    "value reaches the output**, in either stream or in both as written to one terminal, however the",
    "command chunks its writes, splits a value between stdout and stderr, or stops (exits or is",
    "killed mid-value). A whole value is replaced by one `********`; output that ends with what",
    "could be the start of a value is held until that stream shows what follows (or ends, when a",
    "held start is masked too). Limits: a value shorter than 8 characters is masked only where it",
    "appears whole in one stream, so up to 7 of its characters can show when it is split; other",
    "encodings (base64, hex, reversed, one character per line…) and values the command derives",
    "are not recognised. `--no-masking` turns masking off.",
    "",
    "`vaultlink run` takes an env file as `--dotenv <file>`. Node reads `--env-file` itself from",
    "anywhere on its command line (after the script name too, on Node 20, 22 and 24): it would",
    "apply a `NODE_OPTIONS` line of the file to vaultlink's own process, and stop with its own",
    "exit 9 on a missing file, before vaultlink's first line runs. So vaultlink refuses",
    "`--env-file` (exit 2) and never uses its variables; give files as `--dotenv`.",
    "",
    "## Conventions",
    "",
    "- Secret values are never accepted on the command line: they come from a masked prompt on a",
    "  terminal or from stdin. `--value` or an extra argument is refused with the reason.",
    "- `--json` prints the result as JSON on stdout on every command but `run`, `agent run`, `ui`",
    "  and `completion`, whose stdout belongs to the child, the agent, the screen's address or the",
    '  script. A command that changes a secret prints it (`secret delete`: `{"deleted":"name"}`).',
    "- Prompts and progress go to stderr; stdout carries only the data asked for.",
    "- The vault key is looked for in `VAULTLINK_VAULT_KEY`, then the OS keychain, then a masked",
    "  prompt on a terminal.",
    "- `NO_COLOR` turns colours off; spinners appear only on a terminal.",
    "",
    "## Team roles",
    "",
    "Team integrations (HashiCorp Vault) are set up once by a team Admin and joined by every member",
    "(`vaultlink integration join`). The setup is published in the team's own Vault, and **Vault's",
    "policies decide the roles**: an Admin is whoever Vault lets update the team setup (asked with",
    "`sys/capabilities-self`); a Super Admin may also manage auth methods, policies and the OIDC",
    "provider. Members' `configure` and `disconnect` are refused naming the role needed; an",
    "Admin's `disconnect` removes the setup for everyone. Anyone may `signout` personally. No local",
    "file or environment variable grants a role.",
    "",
    "## Plugins",
    "",
    "The four first-party providers load by default. More come from `config.json` in",
    '`VAULTLINK_HOME` (or `VAULTLINK_CONFIG`): `{ "plugins": ["name" | "./path.js" | ["name", {options}]], "discover": false }`.',
    "Relative paths resolve from the config file's directory; package names from its",
    '`node_modules`, then the CLI\'s own. With `"discover": true`, packages in that `node_modules`',
    'whose `package.json` has `"vaultlink": {"role": "provider", "apiVersion": 1, "id": "…"}`',
    "are found without importing them. A plugin is imported only when a command needs it;",
    "broken or incompatible plugins are listed by `vaultlink plugins list` and never stop the CLI.",
    "",
    "## Commands",
    "",
  ];
  section(program, 2, lines);
  return `${lines.join("\n").trimEnd()}\n`;
}

writeWhenRunDirectly(import.meta.url, "node build/docs.js <output.md>", renderCliDocs);
