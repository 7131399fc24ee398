import { vaultlinkError } from "../errors/index.js";
import type { ProviderDefinition } from "./contract.js";

/**
 * The version a link names, checked and normalised by the provider's `parseVersion` hook (or,
 * without one, any non-blank text). Core calls this when a link is made and before each
 * fetch, so a provider never sees a version it did not accept. Throws INVALID_REFERENCE.
 */
export function checkVersion(
  provider: Pick<ProviderDefinition, "id" | "title" | "capabilities" | "parseVersion">,
  version: string,
  settings: Record<string, unknown>,
): string {
  if (!provider.capabilities.versions) {
    throw vaultlinkError("INVALID_INPUT", `${provider.title} references have no versions.`, {
      hint: "Link without --version.",
      provider: provider.id,
    });
  }
  if (provider.parseVersion) return provider.parseVersion(version, { settings });
  if (version.trim() === "") {
    throw vaultlinkError("INVALID_REFERENCE", "The version is empty.", {
      hint: "Give a version, or leave --version out for the current one.",
      provider: provider.id,
    });
  }
  return version;
}
