import type { ProviderDefinition } from "@vaultlink/core";
import { Command as Cmd, type Command, CommanderError } from "commander";
import { usage } from "../errors.js";
import { givenArgs } from "./common.js";

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
    c.parse(givenArgs(cmd), { from: "user" });
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
