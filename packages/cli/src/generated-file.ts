import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/**
 * For the generators run at build time (`node build/<script>.js <output>`): when the module at
 * `moduleUrl` is the script node was started with, write `render()` to the output path (its
 * directory created when missing); without an output path, print `usage` and exit 2. Imported
 * (by tests or other modules), it does nothing.
 */
export function writeWhenRunDirectly(moduleUrl: string, usage: string, render: () => string): void {
  const script = process.argv[1];
  if (!script || !moduleUrl.endsWith(script.replace(/\\/g, "/").split("/").pop() ?? "")) return;
  const target = process.argv[2];
  if (!target) {
    process.stderr.write(`usage: ${usage}\n`);
    process.exitCode = 2;
    return;
  }
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, render());
}
