import type { Command } from "commander";
import { out, printJson, table } from "../io/term.js";
import { loadConfig } from "../plugins/config.js";
import { PluginRegistry } from "../plugins/registry.js";
import type { Opts } from "./common.js";

export async function list(opts: Opts, _cmd: Command): Promise<void> {
  const config = loadConfig();
  const registry = new PluginRegistry(config);
  const loaded = await registry.load();
  const result = {
    config: { file: config.file, exists: config.exists, discover: config.discover },
    loaded: loaded.map((p) => ({
      id: p.id,
      name: p.name,
      version: p.version,
      origin: p.origin,
      spec: p.spec,
      title: p.definition.title,
      authMethods: p.definition.authMethods.map((m) => m.id),
    })),
    incompatible: registry.problems.filter((p) => p.kind === "incompatible"),
    broken: registry.problems.filter((p) => p.kind === "broken"),
  };
  if (opts.json === true) return printJson(result);
  out(`config: ${config.file}${config.exists ? "" : " (none; using the first-party providers)"}`);
  out("");
  out(
    table(
      result.loaded.map((p) => [p.id, `${p.name}@${p.version}`, p.origin, p.authMethods.join(",")]),
      ["LOADED", "PACKAGE", "FROM", "AUTH METHODS"],
    ),
  );
  for (const kind of ["incompatible", "broken"] as const) {
    const list = result[kind];
    if (list.length === 0) continue;
    out("");
    out(`${kind.toUpperCase()}:`);
    for (const p of list)
      out(`  ${p.spec} (${p.origin}): ${p.reason}${p.hint ? `\n    fix: ${p.hint}` : ""}`);
  }
}
