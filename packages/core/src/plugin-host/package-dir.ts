import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

/**
 * The folder of package `name` as Node would find it from each of `from` (file URLs or paths,
 * tried in order), by walking the node_modules folders. It reads no `exports` map, so a
 * package whose `exports` does not list `./package.json` is still found.
 */
export function findPackageDir(name: string, from: readonly string[]): string | undefined {
  for (const origin of from) {
    const paths = createRequire(origin).resolve.paths(name) ?? [];
    for (const p of paths) {
      const dir = join(p, name);
      if (existsSync(join(dir, "package.json"))) return dir;
    }
  }
  return undefined;
}
