import { cacheKey } from "../cache/cache-key.js";
import type { ErrorCode } from "../errors/codes.js";
import { vaultlinkError } from "../errors/index.js";
import { checkLinkOptions } from "../plugin/link-options.js";
import { checkVersion } from "../plugin/versions.js";
import type { LinkRecord, SecretRecord, VaultDocument } from "../vault/model.js";
import { assertSecretName } from "../vault/names.js";
import type { LinkedOutcome } from "./linked-values.js";
import { type SecretInfo, toSecretInfo } from "./secret-view.js";
import { checkDomains, requireSecret } from "./secrets.js";
import type { EngineServices } from "./services.js";

export interface LinkInput {
  integration: string;
  /** The provider reference as the user typed it; the provider validates it. */
  reference: string;
  jsonKey?: string;
  version?: string;
  /** The provider's own link options (`linkOptions` of the plugin), by name. */
  options?: Record<string, string>;
  /** For a new secret: its allowed domains. */
  allowedDomains?: string[];
  /**
   * Fetch the reference once before saving the link (it exists, the version is there, the
   * JSON key is present), and refuse the link when that fails. Needs a connected integration.
   * Default false here; the CLI checks unless `--no-check` is given.
   */
  check?: boolean;
}

/** What linking did, besides the secret: whether the reference was fetched to check it. */
export interface LinkResult extends SecretInfo {
  checked: boolean;
}

/** Link, relink and unlink vault secrets to secrets in external vaults. */
export class Links {
  constructor(
    private readonly deps: EngineServices & {
      /** One uncached fetch of a link, for `check`. */
      checkLink: (name: string, link: LinkRecord, doc: VaultDocument) => Promise<LinkedOutcome>;
    },
  ) {}

  /**
   * Link `name` (created when missing) to a provider reference. Relinking drops the secret's
   * cached value at once, so the next use fetches the new target. A disconnected integration
   * is refused: its links would not resolve.
   */
  async link(name: string, input: LinkInput): Promise<LinkResult> {
    assertSecretName(name);
    const doc = await this.deps.docs.read();
    const integration = Object.hasOwn(doc.integrations, input.integration)
      ? doc.integrations[input.integration]
      : undefined;
    if (!integration) {
      throw vaultlinkError(
        "INTEGRATION_NOT_FOUND",
        `There is no integration "${input.integration}".`,
        {
          hint: `Connect one first: vaultlink integration connect <provider> --id ${input.integration}.`,
        },
      );
    }
    if (integration.status === "disconnected") {
      const connect = `vaultlink integration connect ${integration.provider}${integration.id === integration.provider ? "" : ` --id ${integration.id}`}`;
      throw vaultlinkError(
        "INTEGRATION_DISCONNECTED",
        `Integration "${integration.id}" is disconnected; a link to it would not resolve.`,
        {
          hint:
            integration.scope === "team"
              ? `Ask a team admin to connect it again (${connect}), then link.`
              : `Connect it again first: ${connect}.`,
          provider: integration.provider,
        },
      );
    }
    const provider = await this.deps.registry.load(integration.provider);
    const parsed = provider.parseReference(input.reference, { settings: integration.settings });
    const typedVersion =
      input.version === undefined
        ? undefined
        : checkVersion(provider, input.version, integration.settings);
    const options = checkLinkOptions(provider, input.options, integration.settings);
    if (input.jsonKey !== undefined && provider.capabilities.jsonKey === false) {
      throw vaultlinkError("INVALID_INPUT", `${provider.title} values hold no JSON keys.`, {
        hint: "Link without --json-key.",
        provider: provider.id,
      });
    }
    if (
      typedVersion !== undefined &&
      parsed.version !== undefined &&
      parsed.version !== typedVersion
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
    const version = typedVersion ?? parsed.version;
    const now = new Date(this.deps.clock.now()).toISOString();
    const link: LinkRecord = {
      integration: integration.id,
      reference: parsed.canonical,
      ...(input.jsonKey !== undefined ? { jsonKey: input.jsonKey } : {}),
      ...(version !== undefined ? { version } : {}),
      ...(options !== undefined ? { options } : {}),
      linkedAt: now,
    };
    if (input.check === true) await this.#check(name, link, doc);
    let previous: SecretRecord["link"];
    const record = await this.deps.docs.update((d) => {
      let s = Object.hasOwn(d.secrets, name) ? d.secrets[name] : undefined;
      if (!s) {
        s = { name, allowedDomains: domains ?? [], enabled: true, createdAt: now, updatedAt: now };
        d.secrets[name] = s;
      } else if (domains) s.allowedDomains = domains;
      previous = s.link;
      delete s.value;
      s.link = { ...link };
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
    return { ...toSecretInfo(record), checked: input.check === true };
  }

  /** Fetch the link once; refuse it, with the provider's reason and fix, when that fails. */
  async #check(name: string, link: LinkRecord, doc: VaultDocument): Promise<void> {
    const outcome = await this.deps.checkLink(name, link, doc);
    if (outcome.ok) return;
    const offline =
      outcome.reason === "auth-expired" ||
      outcome.code === "UNREACHABLE" ||
      outcome.code === "THROTTLED";
    throw vaultlinkError(
      (outcome.code as ErrorCode | undefined) ??
        (outcome.reason === "auth-expired" ? "AUTH_EXPIRED" : "PROVIDER_ERROR"),
      `Checking ${link.reference} failed, so ${name} was not linked: ${outcome.message}`,
      {
        hint: offline
          ? `${outcome.fix}; or link without checking: add --no-check.`
          : `${outcome.fix}.`.replace(/\.\.$/, "."),
        provider: doc.integrations[link.integration]?.provider,
      },
    );
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
