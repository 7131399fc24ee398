import * as nodeModule from "node:module";

/**
 * Start-up speed: V8 keeps the compiled code of vaultlink's files between runs
 * (`module.enableCompileCache`, in every supported Node), so a run compiles nothing it compiled
 * before. Should the switch be missing, the CLI runs without it. `NODE_DISABLE_COMPILE_CACHE=1`
 * turns it off.
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
