/** The core-level option every integration (and every plugin's options) accepts. */
export const TIMEOUT_OPTION = "timeoutSeconds";
export const DEFAULT_TIMEOUT_SECONDS = 30;
export const MIN_TIMEOUT_SECONDS = 1;
export const MAX_TIMEOUT_SECONDS = 600;

/**
 * Names the same setting had before core owned it, still read from vaults and config files
 * that hold them: 1Password Connect's integration setting `timeoutMs` and the AWS plugin
 * option `requestTimeoutMs`, both in milliseconds. HashiCorp's `timeoutSeconds` is the name kept.
 */
export const LEGACY_TIMEOUT_MS_OPTIONS = ["timeoutMs", "requestTimeoutMs"] as const;

function positive(value: unknown): number | undefined {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  return typeof n === "number" && Number.isFinite(n) && n > 0 ? n : undefined;
}

function fromOptions(options: Readonly<Record<string, unknown>>): number | undefined {
  const seconds = positive(options[TIMEOUT_OPTION]);
  if (seconds !== undefined) return Math.round(Math.min(seconds, MAX_TIMEOUT_SECONDS) * 1000);
  for (const name of LEGACY_TIMEOUT_MS_OPTIONS) {
    const ms = positive(options[name]);
    if (ms !== undefined) return Math.round(Math.min(ms, MAX_TIMEOUT_SECONDS * 1000));
  }
  return undefined;
}

/**
 * The deadline of one provider call, in ms: the integration's setting, else the plugin's
 * option (host config), else 30 s. Parsed here once; providers read `ctx.requestTimeoutMs`.
 */
export function requestTimeoutMsOf(
  settings: Readonly<Record<string, unknown>>,
  pluginOptions: Readonly<Record<string, unknown>>,
): number {
  return fromOptions(settings) ?? fromOptions(pluginOptions) ?? DEFAULT_TIMEOUT_SECONDS * 1000;
}

/** "30 s", "1.5 s". */
export function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1).replace(/\.0$/, "")} s`;
}

/** The message and hint of a call that passed its deadline, the same for every provider. */
export function timedOut(
  providerTitle: string,
  integrationId: string,
  ms: number,
  what = "request",
): { message: string; hint: string; details: Record<string, unknown> } {
  const longer = Math.min(MAX_TIMEOUT_SECONDS, Math.max(60, Math.ceil((ms * 2) / 1000)));
  return {
    message: `The ${providerTitle} ${what} timed out after ${formatSeconds(ms)}.`,
    hint: `The service may be slow or unreachable: retry in a moment. If it is only slow, allow more time with vaultlink integration configure ${integrationId} --${TIMEOUT_OPTION} ${longer}.`,
    details: { timedOut: true, timeoutMs: ms },
  };
}

/**
 * Run `work` with an AbortSignal that fires after `ms`; settle with `onTimeout()` at the
 * deadline even if `work` ignores the signal (its late result or error is dropped).
 */
export async function withDeadline<T>(
  ms: number,
  work: (signal: AbortSignal) => Promise<T>,
  onTimeout: () => T,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<T>((resolve, reject) => {
    timer = setTimeout(() => {
      controller.abort(new Error(`deadline of ${ms} ms passed`));
      try {
        resolve(onTimeout());
      } catch (error) {
        reject(error);
      }
    }, ms);
  });
  const running = work(controller.signal);
  running.catch(() => undefined);
  try {
    return await Promise.race([running, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Run `fn` with the deadline's clock stopped (a person is answering a question). */
export type PauseDeadline = <R>(fn: () => Promise<R>) => Promise<R>;

/**
 * `withDeadline`, except that `work` may stop the clock while a person answers a question
 * (`pause`); once the answer is in, the call gets a full `ms` again. Nested pauses count once.
 */
export async function withPausableDeadline<T>(
  ms: number,
  work: (signal: AbortSignal, pause: PauseDeadline) => Promise<T>,
  onTimeout: () => T,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let paused = 0;
  let settle!: { resolve: (v: T) => void; reject: (e: unknown) => void };
  const deadline = new Promise<T>((resolve, reject) => {
    settle = { resolve, reject };
  });
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      controller.abort(new Error(`deadline of ${ms} ms passed`));
      try {
        settle.resolve(onTimeout());
      } catch (error) {
        settle.reject(error);
      }
    }, ms);
  };
  const pause: PauseDeadline = async (fn) => {
    paused += 1;
    clearTimeout(timer);
    try {
      return await fn();
    } finally {
      paused -= 1;
      if (paused === 0 && !controller.signal.aborted) arm();
    }
  };
  arm();
  const running = work(controller.signal, pause);
  running.catch(() => undefined);
  try {
    return await Promise.race([running, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
