import * as nodeModule from "node:module";

/**
 * Start-up speed on Node 22.1+: V8 keeps the compiled code of vaultlink's files between runs
 * (`module.enableCompileCache`), so a run compiles nothing it compiled before. Older Node has no
 * such switch for ES modules and runs without it. `NODE_DISABLE_COMPILE_CACHE=1` turns it off.
 */
export function enableCompileCache(): void {
  if (process.env.NODE_DISABLE_COMPILE_CACHE) return;
  const builtIn = (nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache;
  try {
    if (typeof builtIn === "function") builtIn();
  } catch {
    // No cache: slower start, same behaviour.
  }
}
