import { type OptionSpec, type ProviderContext, providerError } from "@vaultlink/core/plugin";
import { PROVIDER_ID } from "./meta.js";

/**
 * Settings every auth method shares: none of the plugin's own (each method's options are in
 * auth/methods.ts); core adds `timeoutSeconds` and `concurrency`.
 */
export const SETTINGS: readonly OptionSpec[] = [];

/** Items read from a Connect server at once when core gives no `ctx.concurrency`. */
export const DEFAULT_CONNECT_CONCURRENCY = 4;

export interface ConnectSettings {
  host: string;
  /** Core's deadline (`ctx.requestTimeoutMs`; a `timeoutMs` stored by older versions counts there). */
  timeoutMs: number;
  /** Core's `ctx.concurrency` (a `concurrency` stored by older versions counts there). */
  concurrency: number;
}

function bad(message: string, hint: string) {
  return providerError(PROVIDER_ID, "AUTH_FAILED", message, { hint });
}

/** Read and check the Connect settings; the host always ends with "/" so paths append to it. */
export function connectSettings(
  settings: Record<string, unknown>,
  tuning: Pick<ProviderContext, "requestTimeoutMs" | "concurrency">,
): ConnectSettings {
  const raw = settings.host;
  if (typeof raw !== "string" || raw.trim() === "") {
    throw bad(
      "The Connect sign-in needs the server URL (host).",
      "For example http://localhost:8080.",
    );
  }
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw bad(`The Connect host "${raw}" is not a URL.`, "For example http://localhost:8080.");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw bad(
      `The Connect host "${raw}" must start with http:// or https://.`,
      "For example http://localhost:8080.",
    );
  }
  if (url.username || url.password) {
    throw bad(
      "The Connect host must not carry a user name or password.",
      "Give the token separately.",
    );
  }
  url.search = "";
  url.hash = "";
  if (!url.pathname.endsWith("/")) url.pathname += "/";
  return {
    host: url.toString(),
    timeoutMs: tuning.requestTimeoutMs,
    concurrency: tuning.concurrency ?? DEFAULT_CONNECT_CONCURRENCY,
  };
}
