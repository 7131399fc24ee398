import { createRequire } from "node:module";

const pkg = createRequire(import.meta.url)("../package.json") as { name: string; version: string };

/** The plugin's package name and version, for `meta`. */
export const META = { name: pkg.name, version: pkg.version } as const;

/** The provider id users type ("vaultlink integration connect hashicorp"). */
export const PROVIDER_ID = "hashicorp";
