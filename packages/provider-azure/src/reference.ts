import { type ParsedReference, providerError } from "@vaultlink/core/plugin";
import { type CloudId, cloudOfHost } from "./clouds.js";
import { PROVIDER_ID } from "./meta.js";
import { type AzureConfig, resolveConfig } from "./settings.js";

/** A Key Vault secret identifier, taken apart. */
export interface AzureReference extends ParsedReference {
  /** `https://<host>`: what SecretClient is built with. */
  vaultUrl: string;
  name: string;
  /** The cloud the vault host belongs to, or "custom" for a local emulator. */
  cloud: CloudId | "custom";
}

/** Key Vault names: 3–24 letters, digits and '-', starting with a letter, no "--". */
const VAULT_NAME = /^[a-z](?:[a-z0-9]|-(?!-)){1,22}[a-z0-9]$/;
/** Secret names: 1–127 letters, digits and '-'. */
const SECRET_NAME = /^[0-9A-Za-z-]{1,127}$/;
/** Secret versions are 32 hex digits. */
const VERSION = /^[0-9a-f]{32}$/;
/** Hosts an emulator runs on. Custom hosts still need `allowCustomVaultHosts` to be fetched. */
const LOOPBACK = /^(?:127\.0\.0\.1|localhost|\[::1\]|[a-z0-9-]+\.localhost)$/;

export const REFERENCE_EXAMPLES = [
  "https://my-vault.vault.azure.net/secrets/db-password",
  "https://my-vault.vault.azure.net/secrets/db-password/0123456789abcdef0123456789abcdef",
  "https://my-vault.vault.azure.cn/secrets/api-key",
  "https://my-vault.vault.usgovcloudapi.net/secrets/api-key",
] as const;

function invalid(input: string, problem: string): never {
  throw providerError(
    PROVIDER_ID,
    "INVALID_REFERENCE",
    `"${input}" is not a Key Vault secret identifier: ${problem}.`,
    {
      hint: `Copy the Secret Identifier from the secret's page in the Azure portal, e.g. ${REFERENCE_EXAMPLES[0]}.`,
    },
  );
}

/**
 * Parse `https://<vault>.vault.azure.net/secrets/<name>[/<version>]` (or the China and US
 * Government forms). No version means the latest one. Needs no network.
 */
export function parseAzureReference(raw: string): AzureReference {
  const input = typeof raw === "string" ? raw.trim() : "";
  if (input === "") invalid(String(raw), "it is empty");
  if (!/^https:\/\//i.test(input)) invalid(input, "it must start with https://");
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    invalid(input, "it is not a URL");
  }
  if (url.username || url.password) invalid(input, "it must not carry a user name or password");
  if (url.search || url.hash) invalid(input, "it must not have a query (?…) or fragment (#…)");

  const host = url.host.toLowerCase();
  const cloud = cloudOfHost(url.hostname);
  if (cloud) {
    if (url.port !== "") invalid(input, "a Key Vault host takes no port");
    const vault = url.hostname.toLowerCase().slice(0, -(cloud.vaultSuffix.length + 1));
    if (!VAULT_NAME.test(vault)) {
      invalid(
        input,
        `"${vault}" is not a vault name (3–24 letters, digits and '-', starting with a letter, ending with a letter or digit, no "--")`,
      );
    }
  } else if (!LOOPBACK.test(url.hostname.toLowerCase())) {
    invalid(
      input,
      `"${url.hostname}" is not a Key Vault host (<vault>.vault.azure.net, .vault.azure.cn or .vault.usgovcloudapi.net)`,
    );
  }

  const segments = url.pathname.split("/").slice(1);
  if (segments.at(-1) === "" && segments.length > 1) segments.pop();
  const [collection, encodedName, rawVersion, ...rest] = segments;
  if (collection?.toLowerCase() !== "secrets" || !encodedName || rest.length > 0) {
    invalid(input, "the path must be /secrets/<name> or /secrets/<name>/<version>");
  }
  const name = decodeURIComponent(encodedName);
  if (!SECRET_NAME.test(name)) {
    invalid(input, `"${name}" is not a secret name (1–127 letters, digits and '-')`);
  }
  const version = rawVersion?.toLowerCase();
  if (version !== undefined && !VERSION.test(version)) {
    invalid(input, `"${rawVersion}" is not a secret version (32 hexadecimal digits)`);
  }

  const vaultUrl = `https://${host}`;
  return {
    canonical: formatAzureReference({ vaultUrl, name, ...(version ? { version } : {}) }),
    vaultUrl,
    name,
    cloud: cloud?.id ?? "custom",
    ...(version ? { version } : {}),
  };
}

/** The canonical secret identifier. */
export function formatAzureReference(ref: {
  vaultUrl: string;
  name: string;
  version?: string;
}): string {
  return `${ref.vaultUrl}/secrets/${ref.name}${ref.version ? `/${ref.version}` : ""}`;
}

/**
 * Why a valid identifier cannot be read through an integration with `config`: a local vault
 * host the integration does not allow, or a vault in another cloud. Checked when the link is
 * made (core hands the integration's settings to `parseReference`) and again at fetch.
 */
export function referenceMismatch(
  reference: AzureReference,
  config: Pick<AzureConfig, "allowCustomVaultHosts" | "cloud">,
): { message: string; hint: string } | undefined {
  if (reference.cloud === "custom" && !config.allowCustomVaultHosts) {
    return {
      message: `${reference.canonical} is not on a Key Vault host; local vault hosts are read only when the integration allows them.`,
      hint: "For a local emulator, set allowCustomVaultHosts to true on the integration.",
    };
  }
  if (reference.cloud !== "custom" && reference.cloud !== config.cloud.id) {
    return {
      message: `${reference.canonical} is a vault in another cloud than this integration signs in to (${config.cloud.title}).`,
      hint: "Link it through an integration whose cloud setting matches the vault.",
    };
  }
  return undefined;
}

/** `parseReference` for the plugin: the identifier, checked against the integration when known. */
export function parseForIntegration(
  raw: string,
  context?: { settings: Record<string, unknown> },
): AzureReference {
  const reference = parseAzureReference(raw);
  if (context) {
    const mismatch = referenceMismatch(reference, resolveConfig(context.settings));
    if (mismatch) {
      throw providerError(PROVIDER_ID, "INVALID_REFERENCE", mismatch.message, {
        hint: mismatch.hint,
      });
    }
  }
  return reference;
}

/** The plugin's `parseVersion` hook: a secret version is 32 hexadecimal digits. */
export function parseAzureVersion(input: string): string {
  const version = input.trim().toLowerCase();
  if (!VERSION.test(version)) {
    throw providerError(
      PROVIDER_ID,
      "INVALID_REFERENCE",
      `${JSON.stringify(input)} is not a Key Vault secret version (32 hexadecimal digits).`,
      {
        hint: "Copy the version from the secret's Versions list in the Azure portal, or leave it out for the current one.",
      },
    );
  }
  return version;
}
