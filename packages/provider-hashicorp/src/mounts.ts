import type { Logger } from "@vaultlink/core/plugin";
import { describeFailure, statusOf, type VaultFailure } from "./errors.js";
import { readClassified, type VaultReader } from "./read.js";
import type { KvVersionSetting } from "./settings.js";

export type KvVersion = 1 | 2;

export interface Engine {
  mount: string;
  version: KvVersion;
  /** Where the version came from; "assumed" means nothing could be read and v2 was guessed. */
  source: "setting" | "sys/mounts" | "sys/internal/ui/mounts" | "assumed";
}

export interface MountDeps extends VaultReader {
  kvVersion: KvVersionSetting;
  namespace: string;
  logger: Logger;
}

type Listing = Map<string, { type: string; version: KvVersion }> | "denied";

function versionOf(options: unknown): KvVersion {
  const v = (options as { version?: unknown } | null)?.version;
  return String(v) === "2" ? 2 : 1;
}

/**
 * Finds each KV engine's version: the kvVersion setting when forced, else sys/mounts, else
 * (when policy denies sys/mounts) sys/internal/ui/mounts/<mount> as the vault CLI does, else v2.
 * Successful answers are remembered for the life of the instance.
 */
export class MountTable {
  #listing: Promise<Listing> | undefined;
  #engines = new Map<string, Engine>();

  constructor(private readonly deps: MountDeps) {}

  get where(): string {
    return this.deps.namespace ? ` in namespace "${this.deps.namespace}"` : "";
  }

  async engine(mount: string): Promise<Engine | VaultFailure> {
    if (this.deps.kvVersion !== "auto") {
      return { mount, version: this.deps.kvVersion === "1" ? 1 : 2, source: "setting" };
    }
    const known = this.#engines.get(mount);
    if (known) return known;
    let listing: Listing;
    try {
      this.#listing ??= this.#list();
      listing = await this.#listing;
    } catch (failure) {
      this.#listing = undefined;
      return failure as VaultFailure;
    }
    const found =
      listing === "denied" ? await this.#uiMount(mount) : this.#fromListing(listing, mount);
    if ("version" in found) this.#engines.set(mount, found);
    return found;
  }

  async #list(): Promise<Listing> {
    const outcome = await readClassified(this.deps, "sys/mounts");
    if ("error" in outcome) {
      throw describeFailure(
        outcome.error,
        "listing secrets engines (sys/mounts)",
        this.deps.address,
      );
    }
    if ("failure" in outcome) throw outcome.failure;
    if ("denied" in outcome) {
      this.deps.logger.debug(
        "sys/mounts is denied by policy; asking sys/internal/ui/mounts per engine",
      );
      return "denied";
    }
    const { response } = outcome;
    const map = (
      response.data && typeof response.data === "object" ? response.data : response
    ) as Record<string, unknown>;
    const listing = new Map<string, { type: string; version: KvVersion }>();
    for (const [path, info] of Object.entries(map)) {
      if (!path.endsWith("/") || !info || typeof info !== "object") continue;
      const { type, options } = info as { type?: unknown; options?: unknown };
      listing.set(path.replace(/\/+$/, ""), { type: String(type), version: versionOf(options) });
    }
    return listing;
  }

  #fromListing(
    listing: Map<string, { type: string; version: KvVersion }>,
    mount: string,
  ): Engine | VaultFailure {
    const entry = listing.get(mount);
    if (!entry) {
      const nested = [...listing.keys()].filter((m) => m.startsWith(`${mount}/`));
      return {
        code: "NOT_FOUND",
        message: `No secrets engine is mounted at "${mount}/"${this.where}.`,
        hint:
          nested.length > 0
            ? `Engines under it: ${nested.join(", ")}; write the reference as ${nested[0]}::<path>#<key>.`
            : "Check the engine name (the first part of the reference) and the integration's namespace.",
        details: { mount },
      };
    }
    if (entry.type !== "kv" && entry.type !== "generic") {
      return {
        code: "INVALID_REFERENCE",
        message: `"${mount}/" is a ${entry.type} engine; only KV engines (v1 and v2) can be linked.`,
        hint: "Link a secret stored in a KV engine.",
        details: { mount, type: entry.type },
      };
    }
    return { mount, version: entry.version, source: "sys/mounts" };
  }

  async #uiMount(mount: string): Promise<Engine | VaultFailure> {
    try {
      const response = await this.deps.read(`sys/internal/ui/mounts/${mount}`);
      const data = (response.data ?? {}) as { type?: unknown; options?: unknown; path?: unknown };
      if (typeof data.type === "string" && data.type !== "kv" && data.type !== "generic") {
        return {
          code: "INVALID_REFERENCE",
          message: `"${mount}/" is a ${data.type} engine; only KV engines (v1 and v2) can be linked.`,
          details: { mount, type: data.type },
        };
      }
      if (typeof data.type === "string") {
        return { mount, version: versionOf(data.options), source: "sys/internal/ui/mounts" };
      }
    } catch (error) {
      const status = statusOf(error);
      if (status === undefined || status >= 500 || status === 429) {
        return describeFailure(error, `looking up the engine "${mount}/"`, this.deps.address);
      }
    }
    this.deps.logger.warn(
      `Could not read the KV version of "${mount}/" (sys/mounts and sys/internal/ui/mounts are not allowed); assuming KV v2. Set kvVersion to 1 or 2 to say which.`,
      { mount },
    );
    return { mount, version: 2, source: "assumed" };
  }
}
