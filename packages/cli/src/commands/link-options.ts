import type { ProviderDefinition } from "@vaultlink/core";
import { Command as Cmd, type Command, CommanderError } from "commander";
import { usage } from "../errors.js";

/** `roleArn` → `role-arn`: a plugin's link option as a `secret link` flag. */
export function linkFlagOf(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** One help line per link option of a provider ("  --role-arn <value>  Role ARN — …"). */
export function linkOptionsHelp(p: ProviderDefinition): string[] {
  return (p.linkOptions ?? [])
    .filter((s) => s.secret !== true)
    .map(
      (s) =>
        `  --${linkFlagOf(s.name)} <value>  ${s.title}${s.description ? ` — ${s.description}` : ""}`,
    );
}

/** The raw arguments after `secret link` (commander keeps them on the root). */
function rawAfterLink(cmd: Command): string[] {
  let root: Command = cmd;
  while (root.parent) root = root.parent;
  const raw = (root as unknown as { rawArgs: string[] }).rawArgs.slice(2);
  const at = raw.findIndex((a, i) => a === "link" && raw[i - 1] === "secret");
  return raw.slice(at + 1);
}

/**
 * Parse `secret link`'s arguments again, now that the integration's plugin is known: its
 * `linkOptions` become flags (`--role-arn <value>` for `roleArn`). Anything else unknown is
 * refused, naming the options this provider takes. Returns the link options given, by name.
 */
export function parseLinkFlags(
  cmd: Command,
  p: ProviderDefinition,
): Record<string, string> | undefined {
  const specs = (p.linkOptions ?? []).filter((s) => s.secret !== true);
  const c = new Cmd("vaultlink secret link")
    .exitOverride()
    .configureOutput({ outputError: () => {}, writeOut: () => {}, writeErr: () => {} })
    .argument("<name>")
    .argument("<integration>")
    .argument("<reference>")
    .option("--json-key <key>")
    .option("--version <version>")
    .option("--domains <list>")
    .option("--no-check")
    .option("--json")
    .option("--debug");
  for (const s of specs) c.option(`--${linkFlagOf(s.name)} <value>`);
  try {
    c.parse(rawAfterLink(cmd), { from: "user" });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    const offered = specs.map((s) => `--${linkFlagOf(s.name)}`);
    throw usage(
      `${error.message.replace(/^error: /, "")} (for a ${p.title} link)`,
      offered.length
        ? `${p.title} links take: ${offered.join(", ")} (see vaultlink integration connect ${p.id} --help).`
        : `${p.title} links take no options of their own.`,
    );
  }
  const opts = c.opts() as Record<string, unknown>;
  const values: Record<string, string> = {};
  for (const s of specs) {
    const v = opts[s.name];
    if (typeof v === "string") values[s.name] = v;
  }
  return Object.keys(values).length > 0 ? values : undefined;
}
