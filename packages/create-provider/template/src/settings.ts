import { type OptionSpec, type ProviderContext, providerError } from "@vaultlink/core/plugin";
import { PROVIDER_ID } from "./meta.js";

/**
 * Reads in flight at once when core gives no `ctx.concurrency` (the integration's or the host's
 * `concurrency`). Core declares, checks and parses `concurrency` and `timeoutSeconds` for every
 * provider: never add them to SETTINGS, never parse them here.
 */
export const DEFAULT_CONCURRENCY = 4;

/** Settings every auth method shares. */
export const SETTINGS: readonly OptionSpec[] = [
  {
    name: "url",
    title: "Service URL",
    type: "string",
    required: true,
    description: "The base URL of the secrets service (https://secrets.example.com).",
  },
];

/** What a sign-in or a fetch runs with: the settings checked, and core's parsed tuning. */
export interface ServiceSettings {
  /** The service's base URL, ending in '/'. */
  base: URL;
  /** Core's deadline for one call (`ctx.requestTimeoutMs`), given to every request. */
  requestTimeoutMs: number;
  /** Reads in flight at once: core's `ctx.concurrency`, else DEFAULT_CONCURRENCY. */
  concurrency: number;
}

export function readSettings(
  settings: Record<string, unknown>,
  tuning: Pick<ProviderContext, "requestTimeoutMs" | "concurrency">,
): ServiceSettings {
  return {
    base: serviceUrl(settings.url),
    requestTimeoutMs: tuning.requestTimeoutMs,
    concurrency: tuning.concurrency ?? DEFAULT_CONCURRENCY,
  };
}

/** The `url` setting as a base URL, or a PROVIDER_ERROR that names the setting. */
function serviceUrl(setting: unknown): URL {
  let url: URL | undefined;
  try {
    url = typeof setting === "string" ? new URL(setting) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw providerError(PROVIDER_ID, "PROVIDER_ERROR", "The url setting is not an http(s) URL.", {
      hint: "Set it with: vaultlink integration configure <integration> --url https://secrets.example.com",
    });
  }
  return url.pathname.endsWith("/") ? url : new URL(`${url.href}/`);
}
