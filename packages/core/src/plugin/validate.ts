import { vaultlinkError } from "../errors/index.js";
import { PROVIDER_BRAND, type ProviderDefinition, SUPPORTED_API_VERSIONS } from "./contract.js";

export const ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/;

/**
 * Check that a loaded module value is a provider this core can run. Throws PLUGIN_INVALID or
 * PLUGIN_INCOMPATIBLE with a message that names the plugin; never runs plugin code.
 */
export function validateProvider(candidate: unknown, source: string): ProviderDefinition {
  const value =
    candidate && typeof candidate === "object" && "default" in candidate && !("brand" in candidate)
      ? (candidate as { default: unknown }).default
      : candidate;
  if (!value || typeof value !== "object") {
    throw vaultlinkError("PLUGIN_INVALID", `${source} does not export a provider.`, {
      hint: "Default-export the result of defineProvider({...}) from @vaultlink/core/plugin.",
    });
  }
  const p = value as Partial<ProviderDefinition> & Record<string, unknown>;
  const meta = p.meta as { name?: unknown; version?: unknown } | undefined;
  const label =
    meta && typeof meta.name === "string"
      ? `${meta.name}@${typeof meta.version === "string" ? meta.version : "?"}`
      : source;
  if (p.brand !== PROVIDER_BRAND) {
    throw vaultlinkError("PLUGIN_INVALID", `${label} is not a vaultlink provider (no brand).`, {
      hint: "Build the export with defineProvider() from @vaultlink/core/plugin.",
    });
  }
  if (typeof p.apiVersion !== "number" || !SUPPORTED_API_VERSIONS.includes(p.apiVersion)) {
    throw vaultlinkError(
      "PLUGIN_INCOMPATIBLE",
      `${label} targets plugin API version ${String(p.apiVersion)}; this vaultlink supports ${SUPPORTED_API_VERSIONS.join(", ")}.`,
      { hint: `Install a release of ${meta?.name ?? "the plugin"} built for plugin API 1.` },
    );
  }
  const problems: string[] = [];
  if (!meta || typeof meta.name !== "string" || typeof meta.version !== "string") {
    problems.push("meta {name, version} is missing");
  }
  if (typeof p.id !== "string" || !ID_PATTERN.test(p.id)) {
    problems.push("id must be lowercase letters, digits or '-'");
  }
  if (typeof p.title !== "string") problems.push("title is missing");
  if (!Array.isArray(p.authMethods) || p.authMethods.length === 0) {
    problems.push("authMethods must list at least one method");
  }
  if (typeof p.parseReference !== "function") problems.push("parseReference is not a function");
  if (typeof p.create !== "function") problems.push("create is not a function");
  if (p.parseLinkOptions !== undefined && typeof p.parseLinkOptions !== "function") {
    problems.push("parseLinkOptions is not a function");
  }
  if (p.linkOptions !== undefined && !Array.isArray(p.linkOptions)) {
    problems.push("linkOptions is not an array");
  }
  if (p.parseVersion !== undefined && typeof p.parseVersion !== "function") {
    problems.push("parseVersion is not a function");
  }
  if (!p.capabilities || typeof p.capabilities !== "object") problems.push("capabilities missing");
  else {
    const caps = p.capabilities as unknown as Record<string, unknown>;
    for (const flag of ["batch", "versions"]) {
      if (typeof caps[flag] !== "boolean")
        problems.push(`capabilities.${flag} must be true or false`);
    }
    for (const flag of ["jsonKey", "binary"]) {
      if (caps[flag] !== undefined && typeof caps[flag] !== "boolean") {
        problems.push(`capabilities.${flag} must be true or false when given`);
      }
    }
  }
  if (problems.length > 0) {
    throw vaultlinkError(
      "PLUGIN_INVALID",
      `${label} is not a valid provider: ${problems.join("; ")}.`,
      {
        hint: "Fix the plugin's defineProvider({...}) call.",
      },
    );
  }
  return value as ProviderDefinition;
}
