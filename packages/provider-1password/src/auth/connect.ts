import { type AuthMethod, providerError } from "@vaultlink/core/plugin";
import { PROVIDER_ID } from "../reference.js";

export const DEFAULT_CONNECT_CONCURRENCY = 4;

export const CONNECT_METHOD: AuthMethod = {
  id: "connect",
  title: "1Password Connect server",
  description:
    "A self-hosted 1Password Connect server and an access token for it. For local tests, host may point at a Connect emulator (http://127.0.0.1:<port>).",
  options: [
    {
      name: "host",
      title: "Connect server URL",
      type: "string",
      required: true,
      env: "OP_CONNECT_HOST",
      description: "For example http://localhost:8080 or https://connect.example.com.",
    },
    {
      name: "token",
      title: "Connect access token",
      type: "string",
      secret: true,
      required: true,
      env: "OP_CONNECT_TOKEN",
      description:
        "An access token issued for this Connect server, with read access to the vaults you link.",
    },
    {
      name: "concurrency",
      title: "Parallel item reads",
      type: "number",
      default: DEFAULT_CONNECT_CONCURRENCY,
      description: "How many items are read from the Connect server at once.",
    },
  ],
};

export interface ConnectSettings {
  host: string;
  /** Core's deadline (`ctx.requestTimeoutMs`; a `timeoutMs` stored by older versions counts there). */
  timeoutMs: number;
  concurrency: number;
}

function bad(message: string, hint: string) {
  return providerError(PROVIDER_ID, "AUTH_FAILED", message, { hint });
}

/** Read and check the Connect settings; the host always ends with "/" so paths append to it. */
export function connectSettings(
  settings: Record<string, unknown>,
  requestTimeoutMs: number,
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
    timeoutMs: requestTimeoutMs,
    concurrency: Math.floor(positive(settings.concurrency, DEFAULT_CONNECT_CONCURRENCY)),
  };
}

export function checkConnectToken(value: unknown): string {
  if (typeof value !== "string" || value.trim() === "" || /\s/.test(value.trim())) {
    throw bad(
      "The Connect token is empty or contains spaces.",
      "Copy the whole access token issued for this Connect server.",
    );
  }
  return value.trim();
}

function positive(value: unknown, fallback: number): number {
  const n = typeof value === "number" ? value : Number(value);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}
