import { readFile } from "node:fs/promises";
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import type NodeVault from "node-vault";
import type { VaultSettings } from "./settings.js";

/** The few calls the provider makes; a thin layer over one node-vault client. */
export interface VaultClient {
  readonly address: string;
  token: string | undefined;
  read(path: string): Promise<VaultResponse>;
  write(path: string, body: Record<string, unknown>): Promise<VaultResponse>;
  delete(path: string): Promise<VaultResponse>;
  close(): void;
}

/** Vault's response envelope, as node-vault hands it back. */
export interface VaultResponse {
  data?: Record<string, unknown> | null;
  auth?: {
    client_token?: string;
    lease_duration?: number;
    renewable?: boolean;
    policies?: string[];
  } | null;
  warnings?: string[] | null;
  [key: string]: unknown;
}

/** Percent-encode each segment of a path (Vault decodes them), keeping the slashes. */
export function encodePath(path: string): string {
  return path
    .split("/")
    .map((s) => encodeURIComponent(s))
    .join("/");
}

/**
 * Build a node-vault client. The SDK is imported here, lazily, so a cache hit never loads it.
 * Environment fallbacks of node-vault (VAULT_TOKEN, VAULT_NAMESPACE, VAULT_SKIP_VERIFY) are
 * overridden: what the integration's settings say is what is used.
 */
export async function createVaultClient(settings: VaultSettings): Promise<VaultClient> {
  const { default: nodeVault } = await import("node-vault");
  const ca = [
    settings.caCert,
    settings.caFile ? await readFile(settings.caFile, "utf8") : undefined,
  ].filter((v): v is string => v !== undefined);
  const httpAgent = new HttpAgent({ keepAlive: true });
  const httpsAgent = new HttpsAgent({
    keepAlive: true,
    rejectUnauthorized: !settings.tlsSkipVerify,
    ...(ca.length > 0 ? { ca } : {}),
  });
  const vault: NodeVault.client = nodeVault({
    endpoint: settings.address,
    apiVersion: "v1",
    // Vault's LIST verb is sent as GET ?list=1, which every server and proxy accepts.
    noCustomHTTPVerbs: true,
    // node-vault's own debug output would print request bodies (passwords, secret ids).
    debug: () => {},
    requestOptions: { httpAgent, httpsAgent, timeout: settings.timeoutMs },
  });
  // Typed in node-vault's .d.ts only as a constructor option; the client reads the property.
  (vault as NodeVault.client & { namespace: string }).namespace = settings.namespace;
  vault.token = "";
  return {
    address: settings.address,
    get token() {
      return vault.token === "" ? undefined : vault.token;
    },
    set token(value: string | undefined) {
      vault.token = value ?? "";
    },
    read: (path) => vault.read(path) as Promise<VaultResponse>,
    write: (path, body) => vault.write(path, body) as Promise<VaultResponse>,
    delete: (path) => vault.delete(path) as Promise<VaultResponse>,
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
