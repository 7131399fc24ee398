import { createRequire } from "node:module";

const pkg = createRequire(import.meta.url)("../package.json") as { name: string; version: string };

/** The plugin's package name and version, for `meta` (hosts show them in `plugins list`). */
export const META = { name: pkg.name, version: pkg.version } as const;

/** The provider id: used in commands (`vaultlink integration connect <id>`) and links. */
export const PROVIDER_ID = "__PROVIDER_ID__";

/** The name people see, in lists and in messages. */
export const PROVIDER_TITLE = "__PROVIDER_TITLE__";
