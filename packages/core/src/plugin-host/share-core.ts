import { readFileSync } from "node:fs";
import module from "node:module";
import { findPackageDir } from "./package-dir.js";

/**
 * Plugins get the host's core. The CLI bundles core (decision 0006), so a plugin that
 * peer-depends on `@vaultlink/core` would find no core of its own in the plugins folder, and
 * one that depends on it would get a second copy of whatever version npm picked. A module
 * resolution hook answers every `@vaultlink/core` and `@vaultlink/core/…` import as if the
 * host itself had made it (from `anchor`, a file URL inside the host's package), so every
 * plugin, however it was installed (`plugins install`, a hand-made node_modules, a path in
 * config.json, a linked folder), runs against the core that ships with the host.
 * See docs/decisions/0011-plugins-share-the-host-core.md.
 */

const CORE = "@vaultlink/core";

const HOOK_SOURCE = `
let anchor;
export function initialize(data) { anchor = data.anchor; }
export async function resolve(specifier, context, next) {
  if (specifier === ${JSON.stringify(CORE)} || specifier.startsWith(${JSON.stringify(`${CORE}/`)}))
    return next(specifier, { ...context, parentURL: anchor });
  return next(specifier, context);
}
`;

type SyncResolve = (
  specifier: string,
  context: { parentURL?: string },
) => { url: string; format?: string | null };
interface ModuleWithHooks {
  registerHooks?: (hooks: {
    resolve: (
      specifier: string,
      context: { parentURL?: string },
      next: SyncResolve,
    ) => { url: string; format?: string | null };
  }) => unknown;
}

let installed: string | undefined;

/**
 * Install the hook once per process; before the first plugin import. Cheap to call again. The
 * first host anchor wins (one process, one host).
 */
export function shareHostCore(anchor: string): void {
  if (installed !== undefined) return;
  installed = anchor;
  const ANCHOR = anchor;
  const withHooks = module as unknown as ModuleWithHooks;
  if (typeof withHooks.registerHooks === "function") {
    // Node 22.15+: synchronous, in-thread, and it also covers require().
    withHooks.registerHooks({
      resolve: (specifier, context, next) =>
        specifier === CORE || specifier.startsWith(`${CORE}/`)
          ? next(specifier, { ...context, parentURL: ANCHOR })
          : next(specifier, context),
    });
    return;
  }
  module.register(`data:text/javascript,${encodeURIComponent(HOOK_SOURCE)}`, {
    data: { anchor: ANCHOR },
  });
}

/** The version of the core every plugin gets (the host's own `@vaultlink/core`). */
export function hostCoreVersion(anchor: string): string | undefined {
  const dir = findPackageDir(CORE, [anchor]);
  if (!dir) return undefined;
  try {
    const pkg = JSON.parse(readFileSync(`${dir}/package.json`, "utf8")) as { version?: unknown };
    return typeof pkg.version === "string" ? pkg.version : undefined;
  } catch {
    return undefined;
  }
}
