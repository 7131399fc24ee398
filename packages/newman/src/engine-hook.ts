import { AsyncLocalStorage } from "node:async_hooks";
import { realpathSync } from "node:fs";
import { createRequire, registerHooks } from "node:module";
import { dirname, join, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/**
 * How vaultlink reaches Postman's engine from inside `newman.run`: Newman builds the
 * postman-runtime run options from a fixed list that has no `vaultSecrets`, so the one
 * postman-runtime instance Newman loads gets a wrapper around `Runner#run` that adds the
 * run's vault scope and wraps the run's callbacks. Which `newman.run` a runtime run belongs to
 * is carried by AsyncLocalStorage, so runs in one process do not see each other's vault.
 * See docs/decisions/0020-newman-runner.md.
 */
export interface RunHooks {
  /** The VariableScope given to postman-runtime as `vaultSecrets`. */
  vaultSecrets: unknown;
  /** Called before each request is sent (after variables and auth are applied). */
  beforeRequest(request: PostmanRequest, item: { name?: string }, abort: () => void): void;
  /** Called after each script with its result (vault mutations among them). */
  afterScript(result: { vaultSecrets?: { mutations?: unknown } } | undefined): void;
  /** Set once the runtime run started with these hooks (false: Newman used another engine). */
  attached?: boolean;
}

export interface PostmanRequest {
  url: { toString(forceProtocol?: boolean): string };
  toJSON(): unknown;
}

type Callbacks = Record<string, ((...args: unknown[]) => unknown) | undefined>;
interface RuntimeRun {
  start(callbacks: Callbacks): unknown;
}
type RunFn = (
  collection: unknown,
  options: Record<string, unknown>,
  callback: (err: unknown, run: RuntimeRun) => unknown,
) => unknown;

const current = new AsyncLocalStorage<RunHooks>();
let installed = false;

const ownRequire = createRequire(import.meta.url);
/** Newman's package folder (real path: pnpm links it), and its `require`. */
const newmanDir = dirname(realpathSync(ownRequire.resolve("newman/package.json")));
const newmanRequire = createRequire(join(newmanDir, "package.json"));
/** Our own postman-runtime (≥ 7.56: `vaultSecrets` with pm.vault), not the one Newman pins. */
const runtimeMain = realpathSync(ownRequire.resolve("postman-runtime"));
const runtimeRequire = createRequire(runtimeMain);
/** The files Newman resolves without the hook: its entry point and its pinned runtime. */
const newmanMain = newmanRequire.resolve("newman");
const pinnedRuntime = ((): string | undefined => {
  try {
    return realpathSync(newmanRequire.resolve("postman-runtime"));
  } catch {
    return undefined;
  }
})();

let redirected = false;

/**
 * Newman 6.2.2 pins postman-runtime 7.39.1 (no pm.vault) and postman-collection 4.4.0. A
 * package's `overrides` only apply in the installing project's root, so a user's
 * `npm install @vaultlink/newman` would give Newman its own old engine. Instead, Newman's own
 * files (not its dependencies) have `require("postman-runtime")` answered with this package's
 * postman-runtime, and `require("postman-collection")` with the one that runtime uses (its
 * classes must be the runtime's). Node's documented module hooks do it; nothing is patched on
 * disk and nothing else in the process is affected. See docs/decisions/0020-newman-runner.md.
 */
function redirectNewmanEngine(): void {
  if (redirected) return;
  const newmanFiles = newmanDir + sep;
  const newmanDeps = join(newmanDir, "node_modules") + sep;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      if (specifier !== "postman-runtime" && specifier !== "postman-collection")
        return nextResolve(specifier, context);
      const parent = context.parentURL?.startsWith("file:")
        ? fileURLToPath(context.parentURL)
        : undefined;
      if (!parent?.startsWith(newmanFiles) || parent.startsWith(newmanDeps))
        return nextResolve(specifier, context);
      // Node's default resolver answers require() from the requiring module itself, so the
      // file is named here: ours for the runtime, the runtime's own for the collection SDK.
      const file =
        specifier === "postman-runtime" ? runtimeMain : runtimeRequire.resolve(specifier);
      return { url: pathToFileURL(file).href, format: "commonjs", shortCircuit: true };
    },
  });
  redirected = true;
}

// At import, not at the first run: an app that imports @vaultlink/newman first and loads
// `newman` itself afterwards (to call newman.run beside ours) gets Newman on this runtime too,
// as the refusal below tells it to do. Newman's own files only; nothing else is redirected.
redirectNewmanEngine();

type Newman = typeof import("newman");
let loaded: Newman | undefined;

/** Newman, loaded so that it runs on this package's postman-runtime. */
export function loadNewman(): Newman {
  if (loaded) return loaded;
  const cache = ownRequire.cache;
  if (cache[newmanMain] && pinnedRuntime && pinnedRuntime !== runtimeMain && cache[pinnedRuntime])
    throw new Error(
      "newman was loaded in this process before @vaultlink/newman, on its own postman-runtime " +
        "(no pm.vault, no vault references): import @vaultlink/newman before anything that loads newman.",
    );
  redirectNewmanEngine();
  loaded = newmanRequire("newman") as Newman;
  return loaded;
}

/** postman-collection as loaded by the runtime Newman uses (its classes must be the same). */
export function postmanCollection(): {
  VariableScope: new (definition: unknown) => VariableScopeLike;
  VariableList: new (parent: unknown, list: unknown[]) => unknown;
} {
  return runtimeRequire("postman-collection");
}

/** The version of the postman-runtime runs use. */
export function runtimeVersion(): string {
  return (runtimeRequire("./package.json") as { version: string }).version;
}

export interface VariableScopeLike {
  values: { filter(fn: (v: { key: string }) => boolean): unknown[] };
  get(key: string): unknown;
  set(key: string, value: unknown, type?: string): unknown;
  [k: string]: unknown;
}

function install(): void {
  if (installed) return;
  const runtime = runtimeRequire(runtimeMain) as { Runner: { prototype: { run: RunFn } } };
  const original = runtime.Runner.prototype.run;
  runtime.Runner.prototype.run = function (this: unknown, collection, options, callback) {
    const hooks = current.getStore();
    if (!hooks) return original.call(this, collection, options, callback);
    hooks.attached = true;
    return original.call(
      this,
      collection,
      { ...options, vaultSecrets: hooks.vaultSecrets },
      (err, run) => {
        if (run && typeof run.start === "function") {
          const start = run.start.bind(run);
          run.start = (callbacks: Callbacks) => {
            const before = callbacks.beforeRequest;
            const script = callbacks.script;
            return start({
              ...callbacks,
              beforeRequest(...args: unknown[]) {
                const [, , request, item, info] = args as [
                  unknown,
                  unknown,
                  PostmanRequest,
                  { name?: string },
                  { abort?: () => void } | undefined,
                ];
                if (request) hooks.beforeRequest(request, item ?? {}, () => info?.abort?.());
                return before?.apply(this, args);
              },
              script(...args: unknown[]) {
                hooks.afterScript(args[2] as never);
                return script?.apply(this, args);
              },
            });
          };
        }
        return callback(err, run);
      },
    );
  };
  installed = true;
}

/** Run `fn` (which calls `newman.run`) with these hooks for the runtime runs it starts. */
export function withRunHooks<T>(hooks: RunHooks, fn: () => T): T {
  install();
  return current.run(hooks, fn);
}
