import { vaultlinkError } from "../errors/index.js";
import type { EventBus } from "../events/index.js";
import type { Clock } from "../plugin/contract.js";
import { checkAllowedDomains } from "../resolver/domain-input.js";
import { MAX_RENAMES, type SecretRecord, type VaultDocument } from "../vault/model.js";
import { assertSecretName } from "../vault/names.js";
import type { DocumentAccess } from "./document.js";
import { type SecretInfo, toSecretInfo } from "./secret-view.js";

export interface NewSecret {
  value?: string;
  allowedDomains?: string[];
  enabled?: boolean;
}

export interface SecretPatch {
  value?: string;
  allowedDomains?: string[];
  enabled?: boolean;
}

/** One change of a batch (`Secrets#apply`): set a local value (creating the secret), or delete. */
export type SecretChange = { name: string; value: string } | { name: string; unset: true };

export function secretNotFound(name: string) {
  return vaultlinkError("SECRET_NOT_FOUND", `There is no secret named "${name}".`, {
    hint: "List secrets with vaultlink secret list, or add it with vaultlink secret add.",
  });
}

export function requireSecret(doc: VaultDocument, name: string): SecretRecord {
  const s = Object.hasOwn(doc.secrets, name) ? doc.secrets[name] : undefined;
  if (!s) throw secretNotFound(name);
  return s;
}

/** Allowed domains as typed, checked and canonical (see resolver/domain-input.ts). */
export function checkDomains(
  domains: readonly string[],
  stored: readonly string[] = [],
): Promise<string[]> {
  return checkAllowedDomains(domains, { stored });
}

/** Create, read, update, rename, delete and list vault secrets. */
export class Secrets {
  constructor(
    private readonly docs: DocumentAccess,
    private readonly events: EventBus,
    private readonly clock: Clock,
  ) {}

  #now(): string {
    return new Date(this.clock.now()).toISOString();
  }

  async add(name: string, input: NewSecret = {}): Promise<SecretInfo> {
    assertSecretName(name);
    const allowedDomains = await checkDomains(input.allowedDomains ?? []);
    const created = await this.docs.update((doc) => {
      if (Object.hasOwn(doc.secrets, name)) {
        throw vaultlinkError("SECRET_EXISTS", `A secret named "${name}" already exists.`, {
          hint: `Change it with vaultlink secret edit ${name}, or pick another name.`,
        });
      }
      const now = this.#now();
      const record: SecretRecord = {
        name,
        value: input.value ?? "",
        allowedDomains,
        enabled: input.enabled ?? true,
        createdAt: now,
        updatedAt: now,
      };
      doc.secrets[name] = record;
      return record;
    });
    this.events.emit("SecretCreated", { name, linked: false });
    return toSecretInfo(created);
  }

  async get(name: string): Promise<SecretInfo> {
    return toSecretInfo(requireSecret(await this.docs.read(), name));
  }

  async has(name: string): Promise<boolean> {
    return Object.hasOwn((await this.docs.read()).secrets, name);
  }

  async list(): Promise<SecretInfo[]> {
    const doc = await this.docs.read();
    return Object.values(doc.secrets)
      .map(toSecretInfo)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * Names that were renamed and are not in use again, each with the name it has now (newest
   * last): references to the old names no longer resolve.
   */
  async renames(): Promise<Array<{ from: string; to: string }>> {
    const doc = await this.docs.read();
    return Object.entries(doc.renames ?? {})
      .filter(([from, to]) => !Object.hasOwn(doc.secrets, from) && Object.hasOwn(doc.secrets, to))
      .map(([from, to]) => ({ from, to }));
  }

  async update(name: string, patch: SecretPatch): Promise<SecretInfo> {
    const allowedDomains = patch.allowedDomains
      ? await checkDomains(
          patch.allowedDomains,
          requireSecret(await this.docs.read(), name).allowedDomains,
        )
      : undefined;
    const fields: Array<"value" | "allowedDomains" | "enabled"> = [];
    const updated = await this.docs.update((doc) => {
      const s = requireSecret(doc, name);
      if (patch.value !== undefined) {
        if (s.link) {
          throw vaultlinkError(
            "INVALID_INPUT",
            `"${name}" is linked to an external vault; its value lives there.`,
            {
              hint: `Change it in the provider, or unlink it first: vaultlink secret unlink ${name}.`,
            },
          );
        }
        if (s.value !== patch.value) {
          s.value = patch.value;
          fields.push("value");
        }
      }
      if (allowedDomains && allowedDomains.join("\n") !== s.allowedDomains.join("\n")) {
        s.allowedDomains = allowedDomains;
        fields.push("allowedDomains");
      }
      if (patch.enabled !== undefined && s.enabled !== patch.enabled) {
        s.enabled = patch.enabled;
        fields.push("enabled");
      }
      // A patch that changes nothing leaves the record (and so the vault file) as it was.
      if (fields.length > 0) s.updatedAt = this.#now();
      return s;
    });
    if (fields.length > 0) this.events.emit("SecretUpdated", { name, fields });
    return toSecretInfo(updated);
  }

  /**
   * Apply several changes in one locked write, in order: all of them land or none does (a
   * script's `pm.vault.set`/`unset` calls, written when the script ends). Setting a linked
   * secret is refused (its value lives in the provider); unsetting a name that does not exist
   * changes nothing. Returns the names whose record changed.
   */
  async apply(changes: readonly SecretChange[]): Promise<string[]> {
    for (const c of changes) assertSecretName(c.name);
    if (changes.length === 0) return [];
    const now = this.#now();
    const done = await this.docs.update((doc) => {
      const out: Array<{ name: string; kind: "added" | "updated" | "deleted" }> = [];
      for (const c of changes) {
        const s = Object.hasOwn(doc.secrets, c.name) ? doc.secrets[c.name] : undefined;
        if ("unset" in c) {
          if (s) {
            delete doc.secrets[c.name];
            out.push({ name: c.name, kind: "deleted" });
          }
          continue;
        }
        if (s?.link) {
          throw vaultlinkError(
            "INVALID_INPUT",
            `"${c.name}" is linked to an external vault; its value lives there.`,
            {
              hint: `Change it in the provider, or unlink it first: vaultlink secret unlink ${c.name}.`,
            },
          );
        }
        if (s) {
          if (s.value !== c.value) {
            s.value = c.value;
            s.updatedAt = now;
            out.push({ name: c.name, kind: "updated" });
          }
        } else {
          doc.secrets[c.name] = {
            name: c.name,
            value: c.value,
            allowedDomains: [],
            enabled: true,
            createdAt: now,
            updatedAt: now,
          };
          out.push({ name: c.name, kind: "added" });
        }
      }
      return out;
    });
    for (const d of done) {
      if (d.kind === "deleted") this.events.emit("SecretDeleted", { name: d.name });
      else if (d.kind === "added")
        this.events.emit("SecretCreated", { name: d.name, linked: false });
      else this.events.emit("SecretUpdated", { name: d.name, fields: ["value"] });
    }
    return [...new Set(done.map((d) => d.name))];
  }

  async rename(from: string, to: string): Promise<SecretInfo> {
    assertSecretName(to);
    if (from === to) {
      // Nothing to change: refuse without writing the vault.
      requireSecret(await this.docs.read(), from);
      throw vaultlinkError("INVALID_INPUT", `"${from}" already has that name.`, {
        hint: `Give a different new name: vaultlink secret rename ${from} <new-name>.`,
      });
    }
    const renamed = await this.docs.update((doc) => {
      const s = requireSecret(doc, from);
      if (Object.hasOwn(doc.secrets, to)) {
        throw vaultlinkError("SECRET_EXISTS", `A secret named "${to}" already exists.`, {
          hint: "Pick another name, or delete the other secret first.",
        });
      }
      delete doc.secrets[from];
      s.name = to;
      s.updatedAt = this.#now();
      doc.secrets[to] = s;
      doc.renames = rememberRename(doc.renames, from, to);
      return s;
    });
    this.events.emit("SecretRenamed", { from, to });
    return toSecretInfo(renamed);
  }

  async delete(name: string): Promise<void> {
    await this.docs.update((doc) => {
      requireSecret(doc, name);
      delete doc.secrets[name];
    });
    this.events.emit("SecretDeleted", { name });
  }
}

/**
 * The rename map after `from` became `to`: earlier names of `from` now lead to `to` as well,
 * `to` is a live name again, and only the newest `MAX_RENAMES` entries are kept.
 */
function rememberRename(
  renames: Record<string, string> | undefined,
  from: string,
  to: string,
): Record<string, string> {
  // No prototype: a secret once named "__proto__" is an ordinary key here.
  const next: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [old, current] of Object.entries(renames ?? {})) {
    if (old === to || old === from) continue;
    next[old] = current === from ? to : current;
  }
  next[from] = to;
  const names = Object.keys(next);
  for (const old of names.slice(0, Math.max(0, names.length - MAX_RENAMES))) delete next[old];
  return next;
}
