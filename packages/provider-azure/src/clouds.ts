/** The Azure clouds a vault can live in. Each has its own sign-in authority and vault domain. */
export type CloudId = "public" | "china" | "usgov";

export interface AzureCloud {
  id: CloudId;
  title: string;
  /** Microsoft Entra ID sign-in authority. */
  authorityHost: string;
  /** Vault hosts are `<vault-name>.<vaultSuffix>`. */
  vaultSuffix: string;
  /** The Key Vault resource tokens are requested for (`<resource>/.default`). */
  resource: string;
}

export const CLOUDS: Readonly<Record<CloudId, AzureCloud>> = {
  public: {
    id: "public",
    title: "Azure public cloud",
    authorityHost: "https://login.microsoftonline.com",
    vaultSuffix: "vault.azure.net",
    resource: "https://vault.azure.net",
  },
  china: {
    id: "china",
    title: "Azure China (21Vianet)",
    authorityHost: "https://login.chinacloudapi.cn",
    vaultSuffix: "vault.azure.cn",
    resource: "https://vault.azure.cn",
  },
  usgov: {
    id: "usgov",
    title: "Azure US Government",
    authorityHost: "https://login.microsoftonline.us",
    vaultSuffix: "vault.usgovcloudapi.net",
    resource: "https://vault.usgovcloudapi.net",
  },
};

export const CLOUD_IDS = Object.keys(CLOUDS) as CloudId[];

/** The cloud whose vault domain ends `host`, if any. */
export function cloudOfHost(host: string): AzureCloud | undefined {
  const lower = host.toLowerCase();
  return Object.values(CLOUDS).find((c) => lower.endsWith(`.${c.vaultSuffix}`));
}

/** True for the sign-in authorities of the three clouds (instance discovery works there). */
export function isKnownAuthority(authorityHost: string): boolean {
  const origin = safeOrigin(authorityHost);
  return Object.values(CLOUDS).some((c) => c.authorityHost === origin);
}

function safeOrigin(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}
