import { readFileSync } from "node:fs";
import { type OptionSpec, providerError } from "@vaultlink/core/plugin";
import { type AzureCloud, CLOUD_IDS, CLOUDS, type CloudId } from "./clouds.js";
import { PROVIDER_ID } from "./meta.js";

/** Reads in flight at once when core gives no `ctx.concurrency` (Key Vault has no batch read). */
export const DEFAULT_CONCURRENCY = 8;
export const DEFAULT_MAX_RETRIES = 3;

/** Settings common to every auth method. */
export const SETTINGS: readonly OptionSpec[] = [
  {
    name: "cloud",
    title: "Azure cloud",
    type: "enum",
    choices: CLOUD_IDS,
    default: "public",
    description:
      "public (vault.azure.net), china (vault.azure.cn) or usgov (vault.usgovcloudapi.net). Sets the sign-in authority and which vault hosts this integration reads.",
  },
  {
    name: "maxRetries",
    title: "Retries",
    type: "integer",
    min: 0,
    max: 10,
    default: DEFAULT_MAX_RETRIES,
    description:
      "Retries of throttled (429), 5xx and network failures, with backoff honouring Retry-After.",
  },
  {
    name: "authorityHost",
    title: "Sign-in authority (testing)",
    type: "string",
    description:
      "Overrides the cloud's Microsoft Entra authority, e.g. a local emulator's URL. For local testing.",
  },
  {
    name: "caFile",
    title: "Extra CA certificate file (testing)",
    type: "string",
    description:
      "PEM file of a CA to trust for the vault and the authority, e.g. a local emulator's. For local testing.",
  },
  {
    name: "allowCustomVaultHosts",
    title: "Allow local vault hosts (testing)",
    type: "boolean",
    default: false,
    description:
      "Accept secret identifiers on 127.0.0.1/localhost (an emulator) instead of real Key Vault hosts. For local testing.",
  },
];

/** Options an embedder passes to the plugin (`plugins: [["@vaultlink/provider-azure", {...}]]`). */
export interface AzurePluginOptions {
  /** PEM text of an extra CA to trust (tests). */
  ca?: string;
  /** PEM file of an extra CA to trust (tests). */
  caFile?: string;
}

/** The settings a fetch or sign-in runs with, checked and with defaults applied. */
export interface AzureConfig {
  cloud: AzureCloud;
  authorityHost: string;
  /** True when authorityHost is not one of the clouds' own. */
  customAuthority: boolean;
  maxRetries: number;
  allowCustomVaultHosts: boolean;
  /** PEM of extra CAs, when set. */
  ca?: string;
}

function invalidSetting(name: string, problem: string): never {
  throw providerError(PROVIDER_ID, "PROVIDER_ERROR", `The Azure setting "${name}" ${problem}.`, {
    hint: `Fix it with: vaultlink integration configure <integration> --${name} <value>.`,
  });
}

function positiveInt(value: unknown, name: string, fallback: number, min: number): number {
  if (value === undefined || value === null || value === "") return fallback;
  const n = typeof value === "number" ? value : Number(value);
  if (!Number.isInteger(n) || n < min)
    invalidSetting(name, `must be a whole number of at least ${min}`);
  return n;
}

function readCa(file: string, name: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    return invalidSetting(
      name,
      `names a file that cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"}): ${file}`,
    );
  }
}

export function resolveConfig(
  settings: Record<string, unknown>,
  pluginOptions: AzurePluginOptions = {},
): AzureConfig {
  const cloudId = (settings.cloud ?? "public") as string;
  if (!CLOUD_IDS.includes(cloudId as CloudId)) {
    invalidSetting("cloud", `must be one of ${CLOUD_IDS.join(", ")} (got "${cloudId}")`);
  }
  const cloud = CLOUDS[cloudId as CloudId];
  let authorityHost = cloud.authorityHost;
  if (typeof settings.authorityHost === "string" && settings.authorityHost !== "") {
    try {
      authorityHost = new URL(settings.authorityHost).origin;
    } catch {
      invalidSetting("authorityHost", "must be a URL such as https://login.microsoftonline.com");
    }
  }
  const cas: string[] = [];
  if (typeof pluginOptions.ca === "string" && pluginOptions.ca !== "") cas.push(pluginOptions.ca);
  if (typeof pluginOptions.caFile === "string" && pluginOptions.caFile !== "") {
    cas.push(readCa(pluginOptions.caFile, "caFile"));
  }
  if (typeof settings.caFile === "string" && settings.caFile !== "")
    cas.push(readCa(settings.caFile, "caFile"));
  return {
    cloud,
    authorityHost,
    customAuthority: authorityHost !== cloud.authorityHost,
    maxRetries: positiveInt(settings.maxRetries, "maxRetries", DEFAULT_MAX_RETRIES, 0),
    allowCustomVaultHosts:
      settings.allowCustomVaultHosts === true || settings.allowCustomVaultHosts === "true",
    ...(cas.length > 0 ? { ca: cas.join("\n") } : {}),
  };
}

/** Options every credential and client takes to trust the extra CA. */
export function tlsOptions(config: AzureConfig): { tlsOptions?: { ca: string } } {
  return config.ca ? { tlsOptions: { ca: config.ca } } : {};
}
