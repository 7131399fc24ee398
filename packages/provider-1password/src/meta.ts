import { createRequire } from "node:module";

const pkg = createRequire(import.meta.url)("../package.json") as { name: string; version: string };

/** The plugin's package name and version, for `meta` and the SDK's integration version. */
export const META = { name: pkg.name, version: pkg.version } as const;

/** The provider id users type ("vaultlink integration connect 1password"). */
export const PROVIDER_ID = "1password";
