import { type AuthMethod, type OptionSpec, providerError } from "@vaultlink/core/plugin";
import { PROVIDER_ID } from "./reference.js";

/** Settings every auth method shares. All are plain values, so hosts can prompt for them. */
export const SETTINGS: readonly OptionSpec[] = [
  {
    name: "envFile",
    title: "Env file",
    type: "string",
    description: "A dotenv file env:// reads instead of the process environment (absolute path).",
  },
  {
    name: "commands",
    title: "Commands",
    type: "string",
    description:
      'JSON object of name → argv array, e.g. {"gh-token":["gh","auth","token"]}. Run without a shell.',
  },
  {
    name: "allow",
    title: "Allowed variable prefixes",
    type: "string",
    description:
      "Comma-separated prefixes env:// may read (APP_,DB_). Empty allows every variable.",
  },
  {
    name: "rateLimit",
    title: "Lookups per second",
    type: "number",
    description: "At most this many lookups per second against one env file or command.",
  },
  {
    name: "timeoutMs",
    title: "Command timeout (ms)",
    type: "number",
    default: 10_000,
  },
];

export const AUTH_METHODS: readonly AuthMethod[] = [
  {
    id: "none",
    title: "No sign-in",
    description: "Read the environment and run commands as the current user.",
    options: [],
  },
  {
    id: "passphrase",
    title: "Passphrase",
    description: "Unlock with a passphrase checked against a stored scrypt hash; sessions expire.",
    options: [
      {
        name: "token",
        title: "Passphrase",
        type: "string",
        secret: true,
        required: true,
        env: "VAULTLINK_ENV_TOKEN",
      },
      {
        name: "tokenHash",
        title: "Passphrase hash",
        type: "string",
        required: true,
        description:
          "scrypt:<salt>:<hash>, made with hashPassphrase() from vaultlink-provider-env.",
      },
      {
        name: "sessionTtlSeconds",
        title: "Session lifetime (s)",
        type: "number",
        default: 3600,
      },
    ],
  },
];

/** Settings as the provider uses them, checked once per call. */
export interface EnvSettings {
  envFile?: string;
  commands: Map<string, readonly string[]>;
  allow: readonly string[];
  rateLimit?: number;
  timeoutMs: number;
}

export function readSettings(raw: Record<string, unknown>): EnvSettings {
  const envFile = text(raw.envFile);
  const rateLimit = positive(raw.rateLimit, "rateLimit");
  return {
    ...(envFile ? { envFile } : {}),
    commands: readCommands(raw.commands),
    allow: (text(raw.allow) ?? "")
      .split(",")
      .map((p) => p.trim())
      .filter((p) => p !== ""),
    ...(rateLimit ? { rateLimit } : {}),
    timeoutMs: positive(raw.timeoutMs, "timeoutMs") ?? 10_000,
  };
}

function readCommands(raw: unknown): Map<string, readonly string[]> {
  const commands = new Map<string, readonly string[]>();
  if (raw === undefined || raw === null || raw === "") return commands;
  let value: unknown = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw);
    } catch {
      throw badSetting("commands", "is not valid JSON");
    }
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    throw badSetting("commands", "must be a JSON object of name → argv array");
  }
  for (const [name, argv] of Object.entries(value)) {
    if (
      !Array.isArray(argv) ||
      argv.length === 0 ||
      !argv.every((a) => typeof a === "string") ||
      argv[0] === ""
    ) {
      throw badSetting("commands", `entry "${name}" must be a non-empty array of strings`);
    }
    commands.set(name, argv as string[]);
  }
  return commands;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

function positive(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const n = typeof value === "number" ? value : Number(value);
  if (!Number.isFinite(n) || n <= 0) throw badSetting(name, "must be a positive number");
  return n;
}

function badSetting(name: string, why: string) {
  return providerError(PROVIDER_ID, "PROVIDER_ERROR", `The setting "${name}" ${why}.`, {
    hint: `Change the "${name}" setting of the ${PROVIDER_ID} integration.`,
  });
}
