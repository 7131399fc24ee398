import { printJson } from "../io/term.js";
import { loadConfig } from "../plugins/config.js";
import { PluginRegistry } from "../plugins/registry.js";
import { cliVersion } from "../program.js";

/**
 * `vaultlink --version --json`: the CLI's version, the Node running it, and each loaded plugin's
 * package and version (first-party and configured ones); plugins that failed to load are listed
 * with their reason, as `plugins list` does.
 */
export async function versionJson(): Promise<void> {
  const registry = new PluginRegistry(loadConfig());
  const loaded = await registry.load();
  printJson({
    name: "@vaultlink/cli",
    version: cliVersion(),
    node: process.versions.node,
    plugins: loaded.map((p) => ({ id: p.id, name: p.name, version: p.version, origin: p.origin })),
    problems: registry.problems.map((p) => ({ spec: p.spec, kind: p.kind, reason: p.reason })),
  });
}
