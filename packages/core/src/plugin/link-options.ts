import { vaultlinkError } from "../errors/index.js";
import type { ProviderDefinition } from "./contract.js";

/**
 * A link's provider-specific options, checked against the plugin's `linkOptions` and
 * normalised by its `parseLinkOptions` hook. Core calls this when a link is made and before
 * each fetch, so a provider never sees an option it did not accept. Returns undefined for none.
 */
export function checkLinkOptions(
  provider: Pick<ProviderDefinition, "id" | "title" | "linkOptions" | "parseLinkOptions">,
  options: Record<string, unknown> | undefined,
  settings: Record<string, unknown>,
): Record<string, string> | undefined {
  if (options === undefined || Object.keys(options).length === 0) return undefined;
  const specs = provider.linkOptions ?? [];
  const known = new Map(specs.filter((s) => s.secret !== true).map((s) => [s.name, s]));
  const given: Record<string, string> = {};
  for (const [name, value] of Object.entries(options)) {
    const spec = known.get(name);
    if (!spec) {
      throw vaultlinkError("INVALID_INPUT", `${provider.title} links have no option "${name}".`, {
        hint: known.size
          ? `Link options: ${[...known.keys()].join(", ")}.`
          : `${provider.title} links take no options.`,
        provider: provider.id,
      });
    }
    if (typeof value !== "string" || value.trim() === "") {
      throw vaultlinkError("INVALID_INPUT", `The link option ${spec.title} (${name}) is empty.`, {
        hint: "Give a value, or leave the option out.",
        provider: provider.id,
      });
    }
    given[name] = value.trim();
  }
  return provider.parseLinkOptions ? provider.parseLinkOptions(given, { settings }) : given;
}
