import semver from "semver";
import { SUPPORTED_API_VERSIONS } from "../plugin/contract.js";

export interface CompatProblem {
  kind: "incompatible" | "broken";
  reason: string;
  hint: string;
}

/**
 * What a plugin's package.json says about the host it needs, checked without importing it:
 * the plugin contract version ("vaultlink".apiVersion) and the `@vaultlink/core` range it
 * declares (peer or regular dependency) against the core the host gives it. `strict` (used by
 * `plugins install`) also requires the "vaultlink" field with role "provider".
 */
export function checkPluginPackage(
  name: string,
  pkg: Record<string, unknown>,
  hostCore: string | undefined,
  options: { strict?: boolean } = {},
): CompatProblem | undefined {
  const meta = pkg.vaultlink as Record<string, unknown> | undefined;
  const field = `"vaultlink": { "role": "provider", "apiVersion": 1, "id": "<provider id>" }`;
  if (options.strict && (!meta || typeof meta !== "object" || meta.role !== "provider")) {
    return {
      kind: "broken",
      reason: `${name} is not a vaultlink provider plugin: its package.json has no "vaultlink" field with "role": "provider"`,
      hint: `If it is a provider, add ${field} to its package.json.`,
    };
  }
  if (meta && typeof meta === "object" && meta.apiVersion !== undefined) {
    if (!SUPPORTED_API_VERSIONS.includes(meta.apiVersion as number)) {
      return {
        kind: "incompatible",
        reason: `it targets plugin API version ${String(meta.apiVersion)}; this vaultlink supports ${SUPPORTED_API_VERSIONS.join(", ")}`,
        hint: `Install a release of ${name} built for plugin API ${SUPPORTED_API_VERSIONS.join(" or ")}.`,
      };
    }
  } else if (options.strict) {
    return {
      kind: "broken",
      reason: `${name}'s package.json does not say which plugin API it targets`,
      hint: `Add ${field} to its package.json.`,
    };
  }
  const range = coreRange(pkg);
  if (range === undefined || hostCore === undefined) return undefined;
  if (semver.validRange(range) === null) {
    // workspace:, file: or link: ranges say nothing about versions; only npm ranges are checked.
    if (/^(workspace|file|link|npm):/.test(range)) return undefined;
    return {
      kind: "broken",
      reason: `its @vaultlink/core range "${range}" is not a valid version range`,
      hint: `Declare core as a peer dependency with a range such as ">=${hostCore} <1.0.0".`,
    };
  }
  if (!semver.satisfies(hostCore, range, { includePrerelease: true })) {
    return {
      kind: "incompatible",
      reason: `it needs @vaultlink/core ${range}; this vaultlink gives plugins core ${hostCore}`,
      hint: `Install a release of ${name} whose @vaultlink/core range includes ${hostCore}, or a vaultlink whose core it accepts.`,
    };
  }
  return undefined;
}

function coreRange(pkg: Record<string, unknown>): string | undefined {
  for (const key of ["peerDependencies", "dependencies"]) {
    const deps = pkg[key] as Record<string, unknown> | undefined;
    const r = deps?.["@vaultlink/core"];
    if (typeof r === "string") return r;
  }
  return undefined;
}
