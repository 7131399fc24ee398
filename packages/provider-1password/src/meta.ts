import { createRequire } from "node:module";

const pkg = createRequire(import.meta.url)("../package.json") as { name: string; version: string };

/** The plugin's package name and version, from its package.json. */
export const meta = { name: pkg.name, version: pkg.version } as const;
