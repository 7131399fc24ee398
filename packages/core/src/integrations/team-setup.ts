import { isVaultlinkError, vaultlinkError } from "../errors/index.js";
import type { OptionSpec, ProviderDefinition, TeamSetup } from "../plugin/contract.js";
import { withCoreSettings } from "../plugin/define-provider.js";
import { splitOptions } from "./options.js";

/**
 * A team setup as read from the provider is input from outside this machine: whoever could
 * write it (an admin, or someone who took over an admin's token) decides what members' vaults
 * do next. Before a member takes it over it must be well-formed by the plugin's own option
 * specs, and it must not send sign-ins or credentials to a host the member never agreed to.
 *
 * Returns the setup to follow: the known, non-secret, non-local settings, typed as their specs
 * say (unknown fields are ignored, as a newer vaultlink may publish more). Throws
 * TEAM_SETUP_INVALID naming what is wrong; the member's vault keeps what it had.
 */
export function checkTeamSetup(
  provider: ProviderDefinition,
  setup: TeamSetup,
  context: { id: string; location: string; current: Readonly<Record<string, unknown>> },
): TeamSetup {
  const invalid = (why: string, hint?: string) =>
    vaultlinkError(
      "TEAM_SETUP_INVALID",
      `The team setup at ${context.location} cannot be used: ${why}`,
      {
        hint:
          hint ??
          `Ask a team admin to publish it again (vaultlink integration configure ${context.id} …). Your vault keeps the setup it had.`,
        provider: provider.id,
      },
    );
  const method =
    typeof setup.authMethod === "string"
      ? provider.authMethods.find((m) => m.id === setup.authMethod)
      : undefined;
  if (!method) {
    throw invalid(
      `it names the sign-in method "${String(setup.authMethod).slice(0, 40)}", which ${provider.title} does not have (${provider.authMethods.map((m) => m.id).join(", ")}).`,
    );
  }
  const specs = new Map<string, OptionSpec>(
    [...withCoreSettings(provider.settings), ...method.options].map((s) => [s.name, s]),
  );
  const given: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(setup.settings ?? {})) {
    const spec = specs.get(name);
    // Secrets and this machine's own settings are never taken from a team setup.
    if (!spec || spec.secret || spec.local || value === undefined || value === null) continue;
    given[name] = value;
  }
  let settings: Record<string, unknown>;
  try {
    settings = splitOptions(provider, method, given, {
      enforceRequired: false,
      applyDefaults: false,
    }).settings;
  } catch (error) {
    if (!isVaultlinkError(error)) throw error;
    throw invalid(error.message);
  }
  const trusted = new Set<string>();
  for (const [name, value] of Object.entries(context.current)) {
    const origin = specs.get(name)?.endpoint ? originOf(value) : undefined;
    if (origin) trusted.add(origin);
  }
  for (const [name, value] of Object.entries(settings)) {
    if (!specs.get(name)?.endpoint) continue;
    const origin = originOf(value);
    if (!origin) throw invalid(`"${name}" is not an http(s) URL.`);
    if (!trusted.has(origin)) {
      throw invalid(
        `it sends sign-in ("${name}") to ${origin}, which is not where you joined (${[...trusted].join(", ") || "nothing yet"}). vaultlink does not follow a team setup to another host on its own.`,
        `If your team really moved there, sign out and join again with the admin's join code: vaultlink integration signout ${context.id}, then vaultlink integration join ${provider.id} <join code>. Otherwise tell a team admin: the setup may have been tampered with.`,
      );
    }
  }
  return { authMethod: method.id, settings };
}

/** scheme://host:port of an http(s) URL; undefined for anything else. */
function originOf(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? url.origin : undefined;
  } catch {
    return undefined;
  }
}
