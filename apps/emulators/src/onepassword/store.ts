import { newId } from "./ids.js";

export interface OpVault {
  id: string;
  name: string;
  description: string;
  attributeVersion: number;
  contentVersion: number;
  type: "USER_CREATED";
  createdAt: string;
  updatedAt: string;
}

export interface OpSection {
  id: string;
  label?: string;
}

export interface OpField {
  id: string;
  label: string;
  value?: string;
  type: string;
  purpose?: string;
  section?: { id: string };
}

export interface OpItem {
  id: string;
  title: string;
  vault: { id: string };
  category: string;
  urls?: { label?: string; primary?: boolean; href: string }[];
  favorite: boolean;
  tags: string[];
  version: number;
  trashed: boolean;
  createdAt: string;
  updatedAt: string;
  lastEditedBy: string;
  sections: OpSection[];
  fields: OpField[];
}

/** What tests pass to seed an item. `section` on a field names a section by label or id. */
export interface ItemSeed {
  title: string;
  category?: string;
  tags?: string[];
  urls?: { label?: string; primary?: boolean; href: string }[];
  sections?: (string | { id?: string; label: string })[];
  fields: {
    label: string;
    value?: string;
    type?: string;
    purpose?: string;
    section?: string;
    id?: string;
  }[];
}

const EDITOR_ID = newId();

/** Vaults and their items; all state of one Connect server. */
export class ConnectStore {
  vaults = new Map<string, OpVault>();
  items = new Map<string, Map<string, OpItem>>();

  addVault(name: string, description = ""): OpVault {
    const now = new Date().toISOString();
    const vault: OpVault = {
      id: newId(),
      name,
      description,
      attributeVersion: 1,
      contentVersion: 0,
      type: "USER_CREATED",
      createdAt: now,
      updatedAt: now,
    };
    this.vaults.set(vault.id, vault);
    this.items.set(vault.id, new Map());
    return vault;
  }

  /** Store an item (new or replacing one with the same id) and bump the vault's version. */
  put(item: OpItem): OpItem {
    const vault = this.vaults.get(item.vault.id);
    const items = this.items.get(item.vault.id);
    if (!vault || !items) throw new Error(`no vault ${item.vault.id}`);
    items.set(item.id, item);
    vault.contentVersion += 1;
    vault.updatedAt = item.updatedAt;
    return item;
  }

  remove(vaultId: string, itemId: string): boolean {
    const removed = this.items.get(vaultId)?.delete(itemId) ?? false;
    const vault = this.vaults.get(vaultId);
    if (removed && vault) vault.contentVersion += 1;
    return removed;
  }

  /** Deep copy of the whole state, for reset(). */
  snapshot(): () => void {
    const vaults = structuredClone(this.vaults);
    const items = structuredClone(this.items);
    return () => {
      this.vaults = structuredClone(vaults);
      this.items = structuredClone(items);
    };
  }
}

/** Build a full item from a seed: ids for the item, sections and fields. */
export function itemFromSeed(vaultId: string, seed: ItemSeed): OpItem {
  const sections: OpSection[] = (seed.sections ?? []).map((s) =>
    typeof s === "string" ? { id: newId(), label: s } : { id: s.id ?? newId(), label: s.label },
  );
  const sectionRef = (ref: string) => {
    const found = sections.find((s) => s.id === ref || s.label === ref);
    if (found) return found;
    const added = { id: newId(), label: ref };
    sections.push(added);
    return added;
  };
  const fields: OpField[] = seed.fields.map((f) => ({
    id: f.id ?? newId(),
    label: f.label,
    type: f.type ?? "STRING",
    ...(f.value !== undefined ? { value: f.value } : {}),
    ...(f.purpose !== undefined ? { purpose: f.purpose } : {}),
    ...(f.section !== undefined ? { section: { id: sectionRef(f.section).id } } : {}),
  }));
  const now = new Date().toISOString();
  return {
    id: newId(),
    title: seed.title,
    vault: { id: vaultId },
    category: seed.category ?? "LOGIN",
    ...(seed.urls ? { urls: seed.urls } : {}),
    favorite: false,
    tags: seed.tags ?? [],
    version: 1,
    trashed: false,
    createdAt: now,
    updatedAt: now,
    lastEditedBy: EDITOR_ID,
    sections,
    fields,
  };
}

/** The summary shape of item lists: no sections or fields. */
export function summaryOf(item: OpItem): Omit<OpItem, "sections" | "fields"> {
  const { sections: _s, fields: _f, ...summary } = item;
  return summary;
}
