import { PluginRegistry as HostPluginRegistry, type PluginConfig } from "@vaultlink/core";
import { CliError, ExitCode } from "../errors.js";

export {
  FIRST_PARTY,
  type LoadedPlugin,
  type PluginCandidate,
  type PluginProblem,
} from "@vaultlink/core";

/**
 * Where the CLI resolves plugins from: a file inside the CLI package. First-party providers are
 * its dependencies, and every plugin is given the core the CLI ships (decision 0011).
 */
export const CLI_ANCHOR = import.meta.url;

/** Core's plugin registry (shared with vaultlink-newman), anchored in the CLI, with its errors. */
export class PluginRegistry extends HostPluginRegistry {
  constructor(config: PluginConfig) {
    super(config, { anchor: CLI_ANCHOR });
  }

  /**
   * Why no plugin provides `id`: the plugin's own problem when one with that id failed, else
   * the providers that did load. For commands that need one provider.
   */
  async missingProvider(id: string): Promise<CliError> {
    await this.load();
    const problem = this.problems.find((p) => p.id === id);
    if (problem)
      return new CliError(
        `The "${id}" provider plugin (${problem.spec}) is ${problem.kind}: ${problem.reason}.`,
        {
          hint: problem.hint ?? "See vaultlink plugins list.",
          exitCode: ExitCode.other,
          code: problem.kind === "incompatible" ? "PLUGIN_INCOMPATIBLE" : "PLUGIN_INVALID",
        },
      );
    const ids = this.loaded().map((p) => p.id);
    return new CliError(`No provider plugin with id "${id}" is loaded.`, {
      hint: `Loaded providers: ${ids.join(", ") || "none"}. Install one with vaultlink plugins install <package>; vaultlink plugins list shows any that failed.`,
      exitCode: ExitCode.other,
      code: "PROVIDER_NOT_FOUND",
    });
  }
}
