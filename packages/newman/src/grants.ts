import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import type { Vault } from "@vaultlink/core";

/** What a remembered grant is bound to: the collection's id and its content as granted. */
export interface CollectionIdentity {
  /** Postman's `info._postman_id`, else `info.name`. */
  id: string;
  /** The collection's name, for messages and lists. */
  label: string;
  /** SHA-256 (hex) of the collection's JSON: any change to it is a new collection to grant. */
  digest: string;
}

class GrantInputError extends Error {
  readonly hint: string;
  constructor(message: string, hint: string) {
    super(message);
    this.hint = hint;
  }
}

/** The identity of a collection given as a file path or an object (not a URL). */
export function collectionIdentity(collection: unknown): CollectionIdentity {
  let parsed: unknown = collection;
  if (typeof collection === "string") {
    if (/^https?:\/\//i.test(collection))
      throw new GrantInputError(
        `A collection given as a URL (${collection}) cannot hold a pm.vault grant: what the URL serves can change.`,
        "Download it and grant the file: vaultlink-newman grant collection.json",
      );
    if (!existsSync(collection))
      throw new GrantInputError(
        `The collection file ${collection} does not exist.`,
        "Give the path of a Postman collection (v2.1 JSON).",
      );
    try {
      parsed = JSON.parse(readFileSync(collection, "utf8"));
    } catch {
      throw new GrantInputError(
        `${collection} is not JSON.`,
        "Export the collection from Postman as Collection v2.1.",
      );
    }
  }
  const info = (parsed as { info?: { _postman_id?: unknown; name?: unknown } } | null)?.info;
  const id =
    typeof info?._postman_id === "string" && info._postman_id.trim() !== ""
      ? info._postman_id
      : typeof info?.name === "string" && info.name.trim() !== ""
        ? info.name
        : undefined;
  if (!id)
    throw new GrantInputError(
      "The collection has neither an id (info._postman_id) nor a name (info.name).",
      "Export the collection from Postman as Collection v2.1, or give it a name.",
    );
  const label = typeof info?.name === "string" ? info.name : id;
  const digest = createHash("sha256").update(JSON.stringify(parsed)).digest("hex");
  return { id, label, digest };
}

/**
 * Whether the collection holds a remembered grant for exactly its current content. A grant for
 * an earlier version (or a collection that cannot hold one) means no, with a warning saying why.
 */
export async function rememberedGrant(
  vault: Vault,
  collection: unknown,
  warn: (text: string) => void,
): Promise<boolean> {
  let identity: CollectionIdentity;
  try {
    identity = collectionIdentity(collection);
  } catch {
    return false;
  }
  const check = await vault.scriptGrants.check(identity.id, identity.digest);
  if (check.granted) return true;
  if (check.reason === "changed")
    warn(
      `vaultlink-newman: the collection "${identity.label}" changed since its pm.vault grant (${check.grant.grantedAt}), so its scripts are denied vault access.\n` +
        "  Review the change, then grant it again: vaultlink-newman grant <collection file>\n",
    );
  return false;
}
