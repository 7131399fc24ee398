import { AsyncLocalStorage } from "node:async_hooks";
import { createRequire } from "node:module";

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

const newmanRequire = createRequire(createRequire(import.meta.url).resolve("newman"));

/** postman-collection as loaded by the runtime Newman uses (its classes must be the same). */
export function postmanCollection(): {
  VariableScope: new (definition: unknown) => VariableScopeLike;
  VariableList: new (parent: unknown, list: unknown[]) => unknown;
} {
  const runtimeRequire = createRequire(newmanRequire.resolve("postman-runtime"));
  return runtimeRequire("postman-collection");
}

export interface VariableScopeLike {
  values: { filter(fn: (v: { key: string }) => boolean): unknown[] };
  get(key: string): unknown;
  set(key: string, value: unknown, type?: string): unknown;
  [k: string]: unknown;
}

function install(): void {
  if (installed) return;
  const runtime = newmanRequire("postman-runtime") as { Runner: { prototype: { run: RunFn } } };
  const original = runtime.Runner.prototype.run;
  runtime.Runner.prototype.run = function (this: unknown, collection, options, callback) {
    const hooks = current.getStore();
    if (!hooks) return original.call(this, collection, options, callback);
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
