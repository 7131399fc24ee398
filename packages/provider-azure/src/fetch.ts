import type { TokenCredential } from "@azure/identity";
import type { SecretClient } from "@azure/keyvault-secrets";
import {
  type FetchRequest,
  type FetchResult,
  failure,
  failureFrom,
  mapWithConcurrency,
} from "@vaultlink/core/plugin";
import { type RenewedTokens, SingleFlightCredential } from "./auth/single-flight.js";
import { createSecretClient } from "./client.js";
import { mapAzureError } from "./errors.js";
import {
  type AzureReference,
  parseAzureReference,
  parseAzureVersion,
  referenceMismatch,
} from "./reference.js";
import type { AzureConfig } from "./settings.js";

/** One secret version to read; requests for the same one share a read. */
interface Read {
  reference: AzureReference;
  version?: string;
  ids: string[];
}

export interface FetcherOptions {
  config: AzureConfig;
  /** Built on the first read, so references are checked before any sign-in material is. */
  credential: () => Promise<TokenCredential>;
  integration: string;
  userAgent: string;
  /** Core's deadline (`ctx.requestTimeoutMs`): the longest one read may take. */
  requestTimeoutMs: number;
  /** Reads in flight at once: core's `ctx.concurrency`, else the plugin's default. */
  concurrency: number;
}

/**
 * Reads secrets from any number of vaults. Key Vault has no batch read, so requests are
 * grouped by vault (one SecretClient each, kept for the fetcher's life so its challenge and
 * token are reused) and read with bounded concurrency.
 */
export class SecretFetcher {
  readonly #clients = new Map<string, Promise<SecretClient>>();
  #credentialPromise: Promise<TokenCredential> | undefined;

  constructor(private readonly options: FetcherOptions) {}

  async fetch(requests: readonly FetchRequest[], signal?: AbortSignal): Promise<FetchResult[]> {
    const results: FetchResult[] = [];
    const reads = new Map<string, Read>();
    for (const request of requests) {
      const checked = this.#check(request);
      if ("failed" in checked) {
        results.push(checked.failed);
        continue;
      }
      const { reference, version } = checked;
      const key = `${reference.vaultUrl}\n${reference.name.toLowerCase()}\n${version ?? ""}`;
      const read = reads.get(key);
      if (read) read.ids.push(request.id);
      else reads.set(key, { reference, ...(version ? { version } : {}), ids: [request.id] });
    }
    const answered = await mapWithConcurrency(
      [...reads.values()],
      this.options.concurrency,
      (read) => this.#read(read, signal),
    );
    for (const batch of answered) results.push(...batch);
    return results;
  }

  /** The reference parsed again from its canonical form, and allowed by the settings. */
  #check(
    request: FetchRequest,
  ): { reference: AzureReference; version?: string } | { failed: FetchResult } {
    let reference: AzureReference;
    try {
      reference = parseAzureReference(request.reference.canonical);
    } catch (error) {
      return { failed: failure(request.id, "INVALID_REFERENCE", (error as Error).message) };
    }
    const mismatch = referenceMismatch(reference, this.options.config);
    if (mismatch) {
      return {
        failed: failure(request.id, "INVALID_REFERENCE", mismatch.message, { hint: mismatch.hint }),
      };
    }
    let version: string | undefined;
    try {
      version =
        request.version === undefined ? reference.version : parseAzureVersion(request.version);
    } catch (error) {
      return { failed: failure(request.id, "INVALID_REFERENCE", (error as Error).message) };
    }
    return { reference, ...(version ? { version } : {}) };
  }

  async #read(read: Read, signal: AbortSignal | undefined): Promise<FetchResult[]> {
    const { reference, version } = read;
    try {
      const client = await this.#client(reference);
      // Without a timeout the SDK waits for ever on a vault that never answers.
      const secret = await client.getSecret(reference.name, {
        ...(version ? { version } : {}),
        ...(signal ? { abortSignal: signal } : {}),
        requestOptions: { timeout: this.options.requestTimeoutMs },
      });
      const value = secret.value ?? "";
      const got = secret.properties.version;
      return read.ids.map((id) => ({
        id,
        ok: true as const,
        value,
        ...(got ? { version: got } : {}),
      }));
    } catch (error) {
      const mapped = mapAzureError(error, {
        phase: "fetch",
        integration: this.options.integration,
        reference: reference.canonical,
        vaultUrl: reference.vaultUrl,
        ...(version ? { version } : {}),
      });
      return read.ids.map((id) => failureFrom(id, mapped));
    }
  }

  #client(reference: AzureReference): Promise<SecretClient> {
    let client = this.#clients.get(reference.vaultUrl);
    if (!client) {
      client = this.#newClient(reference);
      this.#clients.set(reference.vaultUrl, client);
      // A failed import must not stay cached.
      client.catch(() => this.#clients.delete(reference.vaultUrl));
    }
    return client;
  }

  async #newClient(reference: AzureReference): Promise<SecretClient> {
    const { config, userAgent } = this.options;
    return createSecretClient(reference, await this.#credential(), { config, userAgent });
  }

  /** One credential for every vault, so one token serves them all. */
  #credential(): Promise<TokenCredential> {
    if (!this.#credentialPromise) {
      const pending = this.options.credential().then((c) => new SingleFlightCredential(c));
      this.#credentialPromise = pending;
      pending.catch(() => {
        if (this.#credentialPromise === pending) this.#credentialPromise = undefined;
      });
    }
    return this.#credentialPromise;
  }

  /**
   * Renew the tokens this fetcher's reads got that expire within `marginMs` (see
   * `SingleFlightCredential.renewDue`). Nothing before the first read: it gets its own token.
   */
  async renewTokens(now: number, marginMs: number, signal?: AbortSignal): Promise<RenewedTokens> {
    if (!this.#credentialPromise) return { renewed: 0 };
    const credential = await this.#credentialPromise;
    if (!(credential instanceof SingleFlightCredential)) return { renewed: 0 };
    return credential.renewDue(now, marginMs, signal);
  }

  /** Number of vault clients held (one per vault URL). */
  get clientCount(): number {
    return this.#clients.size;
  }

  dispose(): void {
    this.#clients.clear();
  }
}
