import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

/**
 * The versions a generated project depends on come from this package's own manifest, so they
 * never drift from what it was released with. The manifest's devDependencies name the
 * @vaultlink packages as `workspace:^`, which `pnpm pack` / `pnpm publish` rewrites to the
 * versions of that release (`^0.1.0`); in the repository, before packing, the version is read
 * from the workspace package itself. The other tools (vitest, typescript, @types/node) are the
 * ranges this package is developed and tested with.
 */
export interface TemplateVersions {
  /** The `@vaultlink/core` version the generated plugin is built against. */
  core: string;
  testkit: string;
  /** Ranges for the generated devDependencies. */
  devDependencies: Record<string, string>;
  /** The generated plugin's peer range on @vaultlink/core: this major and later minors. */
  corePeerRange: string;
  /** `engines.node` of this package, given to the generated one. */
  node: string;
}

const require = createRequire(import.meta.url);

interface Manifest {
  version: string;
  engines?: { node?: string };
  devDependencies?: Record<string, string>;
}

export function readManifest(): Manifest {
  return JSON.parse(readFileSync(require.resolve("../package.json"), "utf8")) as Manifest;
}

export function templateVersions(manifest: Manifest = readManifest()): TemplateVersions {
  const dev = manifest.devDependencies ?? {};
  const versionOf = (name: string): string => {
    const spec = dev[name];
    if (spec === undefined) throw new Error(`${name} is missing from create-provider's manifest.`);
    if (spec.startsWith("workspace:")) {
      return (require(`${name}/package.json`) as { version: string }).version;
    }
    const exact = /(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)/.exec(spec)?.[1];
    if (!exact) throw new Error(`${name}@${spec} in create-provider's manifest is not a version.`);
    return exact;
  };
  const core = versionOf("@vaultlink/core");
  const testkit = versionOf("@vaultlink/testkit");
  const pick = (name: string) => {
    const spec = dev[name];
    if (spec === undefined) throw new Error(`${name} is missing from create-provider's manifest.`);
    return spec;
  };
  return {
    core,
    testkit,
    corePeerRange: peerRange(core),
    devDependencies: {
      "@types/node": pick("@types/node"),
      "@vaultlink/core": `^${core}`,
      "@vaultlink/testkit": `^${testkit}`,
      typescript: pick("typescript"),
      vitest: pick("vitest"),
    },
    node: manifest.engines?.node ?? ">=22",
  };
}

/**
 * `>=0.3.1 <1.0.0`: the core the plugin was written against and every later release with the
 * same plugin contract. Core changes its major version when the contract breaks.
 */
export function peerRange(coreVersion: string): string {
  const major = Number(coreVersion.split(".")[0]);
  return `>=${coreVersion} <${major + 1}.0.0`;
}
