import { cacheKey } from "../cache/cache-key.js";
import { vaultlinkError } from "../errors/index.js";
import type { SecretRecord } from "../vault/model.js";
import { assertSecretName } from "../vault/names.js";
import { type SecretInfo, toSecretInfo } from "./secret-view.js";
import { checkDomains, requireSecret } from "./secrets.js";
import type { EngineServices } from "./services.js";

export interface LinkInput {
  integration: string;
  /** The provider reference as the user typed it; the provider validates it. */
  reference: string;
  jsonKey?: string;
  version?: string;
  /** For a new secret: its allowed domains. */
  allowedDomains?: string[];
}

/** Link, relink and unlink vault secrets to secrets in external vaults. */
export class Links {
  constructor(private readonly deps: EngineServices) {}

  /**
   * Link `name` (created when missing) to a provider reference. Relinking drops the secret's
   * cached value at once, so the next use fetches the new target.
   */
  async link(name: string, input: LinkInput): Promise<SecretInfo> {
    assertSecretName(name);
    const doc = await this.deps.docs.read();
    const integration = doc.integrations[input.integration];
    if (!integration) {
      throw vaultlinkError(
        "INTEGRATION_NOT_FOUND",
        `There is no integration "${input.integration}".`,
        {
          hint: `Connect one first: vaultlink integration connect ${input.integration}.`,
        },
      );
    }
    const provider = this.deps.registry.get(integration.provider);
    const parsed = provider.parseReference(input.reference, { settings: integration.settings });
    if (input.version !== undefined && !provider.capabilities.versions) {
      throw vaultlinkError("INVALID_INPUT", `${provider.title} references have no versions.`, {
        hint: "Link without --version.",
        provider: provider.id,
      });
    }
    if (input.jsonKey !== undefined && provider.capabilities.jsonKey === false) {
      throw vaultlinkError("INVALID_INPUT", `${provider.title} values hold no JSON keys.`, {
        hint: "Link without --json-key.",
        provider: provider.id,
      });
    }
    if (
      input.version !== undefined &&
      parsed.version !== undefined &&
      parsed.version !== input.version
    ) {
      throw vaultlinkError(
        "INVALID_INPUT",
        "The reference already names a version, and --version names another.",
        {
          hint: "Give the version in one place only.",
          provider: provider.id,
        },
      );
    }
    if (input.jsonKey !== undefined && input.jsonKey.trim() === "") {
      throw vaultlinkError("INVALID_INPUT", "The JSON key is empty.", {
        hint: "Give a key name, or leave it out.",
      });
    }
    const domains = input.allowedDomains
      ? await checkDomains(
          input.allowedDomains,
          Object.hasOwn(doc.secrets, name) ? doc.secrets[name]?.allowedDomains : [],
        )
      : undefined;
    const version = input.version ?? parsed.version;
    let previous: SecretRecord["link"];
    const now = new Date(this.deps.clock.now()).toISOString();
    const record = await this.deps.docs.update((d) => {
      let s = Object.hasOwn(d.secrets, name) ? d.secrets[name] : undefined;
      if (!s) {
        s = { name, allowedDomains: domains ?? [], enabled: true, createdAt: now, updatedAt: now };
        d.secrets[name] = s;
      } else if (domains) s.allowedDomains = domains;
      previous = s.link;
      delete s.value;
      s.link = {
        integration: integration.id,
        reference: parsed.canonical,
        ...(input.jsonKey !== undefined ? { jsonKey: input.jsonKey } : {}),
        ...(version !== undefined ? { version } : {}),
        linkedAt: now,
      };
      s.updatedAt = now;
      return s;
    });
    if (previous) await this.#dropCached(previous);
    this.deps.events.emit("SecretLinked", {
      name,
      integration: integration.id,
      provider: provider.id,
      reference: parsed.canonical,
      ...(input.jsonKey !== undefined ? { jsonKey: input.jsonKey } : {}),
      ...(version !== undefined ? { version } : {}),
      relinked: previous !== undefined,
    });
    return toSecretInfo(record);
  }

  /** Remove the link; the secret stays, as an empty local secret. */
  async unlink(name: string): Promise<SecretInfo> {
    let previous: SecretRecord["link"];
    const record = await this.deps.docs.update((d) => {
      const s = requireSecret(d, name);
      if (!s.link) {
        throw vaultlinkError("INVALID_INPUT", `"${name}" is not linked.`, {
          hint: "Only linked secrets can be unlinked.",
        });
      }
      previous = s.link;
      delete s.link;
      s.value = "";
      s.updatedAt = new Date(this.deps.clock.now()).toISOString();
      return s;
    });
    if (previous) {
      await this.#dropCached(previous);
      this.deps.events.emit("SecretUnlinked", { name, integration: previous.integration });
    }
    return toSecretInfo(record);
  }

  async #dropCached(link: NonNullable<SecretRecord["link"]>): Promise<void> {
    const key = cacheKey(link);
    await this.deps.cache.remove((e) => e.key === key);
  }
}
