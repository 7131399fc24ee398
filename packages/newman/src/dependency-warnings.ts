/**
 * Deprecation warnings that Newman's own dependencies trigger and a collection runner's user
 * can do nothing about: on Node 24 they read `fs.F_OK` (DEP0176) and Node prints two lines of
 * warning into every run's output. Only the bin drops them; every other warning (and any code
 * in an app that embeds the library) is left to Node's defaults.
 */
const DEPENDENCY_DEPRECATIONS = new Set(["DEP0176"]);

const emit = process.emitWarning.bind(process) as (...args: unknown[]) => void;

function warningCode(rest: unknown[]): unknown {
  const [typeOrOptions, code] = rest;
  if (typeof typeOrOptions === "object" && typeOrOptions !== null) {
    return (typeOrOptions as { code?: unknown }).code;
  }
  return code;
}

process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const code = warning instanceof Error ? (warning as { code?: unknown }).code : warningCode(rest);
  if (typeof code === "string" && DEPENDENCY_DEPRECATIONS.has(code)) return;
  emit(warning, ...rest);
}) as typeof process.emitWarning;
