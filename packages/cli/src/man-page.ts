import type { Argument, Command, Option } from "commander";
import { EXIT_CODE_DOCS } from "./errors.js";
import { writeWhenRunDirectly } from "./generated-file.js";
import {
  buildProgram,
  cliVersion,
  defineAllGroups,
  ENVIRONMENT,
  listedCommands,
} from "./program.js";

/**
 * `man vaultlink`: a roff page (man(7) macros) generated from the commander definitions in
 * program.ts, the same source as docs/cli.md. The build writes it to dist/vaultlink.1, which
 * package.json's "man" field installs.
 */

/** Text safe for roff: backslashes escaped, hyphens as minus signs, no control line. */
function roff(text: string): string {
  const escaped = text.replace(/\\/g, "\\e").replace(/-/g, "\\-");
  return /^[.']/.test(escaped) ? `\\&${escaped}` : escaped;
}

function pathOf(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

function visibleOptions(cmd: Command): Option[] {
  return cmd.options.filter((o) => !(o as Option & { hidden?: boolean }).hidden);
}

function leaves(cmd: Command): Command[] {
  return listedCommands(cmd).flatMap((c) => (c.commands.length === 0 ? [c] : leaves(c)));
}

function argumentLine(a: Argument): string[] {
  if (!a.description) return [];
  return [".TP", `.I ${roff(`${a.name()}${a.variadic ? "..." : ""}`)}`, roff(a.description)];
}

function optionLines(o: Option): string[] {
  const choices = (o as Option & { argChoices?: string[] }).argChoices;
  const description = `${o.description}${choices ? ` (${choices.join(", ")})` : ""}`;
  return [".TP", `.B ${roff(o.flags)}`, roff(description)];
}

export function renderManPage(): string {
  const program = defineAllGroups(buildProgram());
  const lines: string[] = [
    '.\\" Generated from packages/cli/src/program.ts by src/man-page.ts. Do not edit.',
    `.TH VAULTLINK 1 "" "vaultlink ${roff(cliVersion())}" "User Commands"`,
    ".SH NAME",
    "vaultlink \\- local encrypted vault of secrets, linked to external vaults",
    ".SH SYNOPSIS",
    ".B vaultlink",
    "[\\fIprogram options\\fR] \\fIcommand\\fR [\\fIoptions\\fR] [\\fIarguments\\fR]",
    ".br",
    ".B vaultlink",
    "\\fB\\-\\-version\\fR | \\fB\\-\\-help\\fR",
    ".SH DESCRIPTION",
    roff(program.description()),
    ".PP",
    roff(
      "Secret values are never accepted on the command line: they come from a masked prompt on a terminal or from stdin. Prompts and progress go to stderr; stdout carries only the data asked for. --json prints the result as JSON on stdout on every command but run, agent run, ui and completion.",
    ),
    ".SH OPTIONS",
    ...visibleOptions(program).flatMap(optionLines),
    ".SH COMMANDS",
  ];
  for (const cmd of leaves(program)) {
    lines.push(".SS", `.B ${roff(`${pathOf(cmd)} ${cmd.usage()}`.trim())}`, ".PP");
    lines.push(roff(cmd.description()));
    const args = cmd.registeredArguments.flatMap(argumentLine);
    const opts = visibleOptions(cmd).flatMap(optionLines);
    if (args.length) lines.push(".PP", "Arguments:", ".RS", ...args, ".RE");
    if (opts.length) lines.push(".PP", "Options:", ".RS", ...opts, ".RE");
  }
  lines.push(".SH EXIT STATUS");
  for (const [code, text] of EXIT_CODE_DOCS) lines.push(".TP", `.B ${code}`, roff(text));
  lines.push(
    ".SH ENVIRONMENT",
    ...ENVIRONMENT.flatMap(([name, text]) => [".TP", `.B ${name}`, roff(text)]),
    ".SH SEE ALSO",
    roff(
      "The full reference, with exit codes, conventions and plugin configuration, is docs/cli.md in the vaultlink repository; `vaultlink <command> --help` shows the same for one command.",
    ),
  );
  return `${lines.join("\n")}\n`;
}

writeWhenRunDirectly(import.meta.url, "node build/man-page.js <output.1>", renderManPage);
