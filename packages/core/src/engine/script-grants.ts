import { vaultlinkError } from "../errors/index.js";
import type { Clock } from "../plugin/contract.js";
import { nameMap, type ScriptGrant } from "../vault/model.js";
import type { DocumentAccess } from "./document.js";

/** Whether a collection, as it is now, holds a remembered grant. */
export type ScriptGrantCheck =
  | { granted: true; grant: ScriptGrant }
  | { granted: false; reason: "none" }
  /** Granted once, but the collection changed since: it needs a new grant. */
  | { granted: false; reason: "changed"; grant: ScriptGrant };

const MAX_ID = 300;

function checkId(collection: string): void {
  if (
    typeof collection !== "string" ||
    collection.trim() === "" ||
    collection.length > MAX_ID ||
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
    /[\u0000-\u001f\u007f]/.test(collection)
  )
    throw vaultlinkError(
      "INVALID_INPUT",
      `A collection id must be 1 to ${MAX_ID} printable characters.`,
      { hint: "Give the collection an id (info._postman_id) or a name in its info block." },
    );
}

/**
 * Remembered grants of vault access to a collection's scripts (Postman's per-collection grant,
 * for runs where nobody can answer a prompt). They live in the encrypted vault document, so
 * only a holder of the vault key can write one; scripts cannot (pm.vault writes secrets only).
 * A grant is for the collection exactly as granted (its SHA-256): a changed collection is new
 * code and needs a new grant.
 */
export class ScriptGrants {
  constructor(
    private readonly docs: DocumentAccess,
    private readonly clock: Clock,
  ) {}

  async list(): Promise<ScriptGrant[]> {
    const doc = await this.docs.read();
    return Object.values(doc.scriptGrants ?? {})
      .map((g) => ({ ...g }))
      .sort((a, b) => a.collection.localeCompare(b.collection));
  }

  /** Remember (or replace) the grant for this collection as it is now. */
  async grant(input: { collection: string; label: string; digest: string }): Promise<ScriptGrant> {
    checkId(input.collection);
    if (!/^[0-9a-f]{64}$/.test(input.digest))
      throw vaultlinkError("INVALID_INPUT", "A grant's digest must be a SHA-256 in hex.");
    const grant: ScriptGrant = {
      collection: input.collection,
      label: input.label.slice(0, MAX_ID),
      digest: input.digest,
      grantedAt: new Date(this.clock.now()).toISOString(),
    };
    await this.docs.update((doc) => {
      doc.scriptGrants ??= nameMap<ScriptGrant>();
      doc.scriptGrants[input.collection] = grant;
    });
    return { ...grant };
  }

  /** Forget the grant for this collection id; false when there was none. */
  async revoke(collection: string): Promise<boolean> {
    return this.docs.update((doc) => {
      if (!doc.scriptGrants || !Object.hasOwn(doc.scriptGrants, collection)) return false;
      delete doc.scriptGrants[collection];
      return true;
    });
  }

  async check(collection: string, digest: string): Promise<ScriptGrantCheck> {
    const doc = await this.docs.read();
    const grant =
      doc.scriptGrants && Object.hasOwn(doc.scriptGrants, collection)
        ? doc.scriptGrants[collection]
        : undefined;
    if (!grant) return { granted: false, reason: "none" };
    return grant.digest === digest
      ? { granted: true, grant: { ...grant } }
      : { granted: false, reason: "changed", grant: { ...grant } };
  }
}
