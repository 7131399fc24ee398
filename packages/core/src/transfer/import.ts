import { vaultlinkError } from "../errors/index.js";
import { invalidDomainEntries } from "../resolver/allowed-domains.js";
import type { SecretRecord, VaultDocument } from "../vault/model.js";
import type { VaultSession } from "../vault/types.js";
import type { ExportedSecret, ExportPayload } from "./payload.js";

/** What to do when an imported name already exists in this vault. */
export type ConflictPolicy = "skip" | "replace" | "rename";

export const CONFLICT_POLICIES: readonly ConflictPolicy[] = ["skip", "replace", "rename"];

export interface ImportOptions {
  /** One policy for every conflict, or a question asked per conflicting name. */
  onConflict: ConflictPolicy | ((name: string) => ConflictPolicy | Promise<ConflictPolicy>);
  now?: Date;
}

export interface ImportReport {
  created: string[];
  replaced: string[];
  renamed: Array<{ from: string; to: string }>;
  skipped: string[];
  /**
   * Links whose integration does not exist here (or is disconnected, or belongs to another
   * provider): the secrets are imported, and resolve once the integration is connected.
   */
  needsConnect: Array<{ integration: string; provider: string; names: string[] }>;
}

/** Names in the payload that already exist in `doc`. */
export function importConflicts(doc: VaultDocument, payload: ExportPayload): string[] {
  return payload.secrets.filter((s) => Object.hasOwn(doc.secrets, s.name)).map((s) => s.name);
}

/** `name-imported`, then `name-imported-2`, … whichever is free. */
export function renameTarget(name: string, taken: (candidate: string) => boolean): string {
  const base = `${name.slice(0, 128 - "-imported-999".length)}-imported`;
  if (!taken(base)) return base;
  for (let i = 2; ; i++) {
    const candidate = `${base}-${i}`;
    if (!taken(candidate)) return candidate;
  }
}

/**
 * Import a decoded export into an unlocked vault session in one atomic write: either every
 * chosen secret lands, or (on any error) the vault file stays exactly as it was.
 * Conflict questions are asked before the write, never while the vault is locked for writing.
 */
export async function importPayload(
  session: VaultSession,
  payload: ExportPayload,
  options: ImportOptions,
): Promise<ImportReport> {
  // Exports keep entries as an earlier release stored them (a port, a path): those still match
  // as they did, so an import checks only that each entry can be matched at all.
  for (const s of payload.secrets) {
    const bad = invalidDomainEntries(s.allowedDomains);
    if (bad.length > 0) {
      throw vaultlinkError(
        "INVALID_INPUT",
        `The export gives "${s.name}" an allowed domain that is not a domain: ${bad.map((b) => JSON.stringify(b)).join(", ")}.`,
        { hint: "Fix the entry in the exporting vault and export again." },
      );
    }
  }
  const before = await session.read();
  const decisions = new Map<string, ConflictPolicy>();
  for (const name of importConflicts(before, payload)) {
    const decision =
      typeof options.onConflict === "function"
        ? await options.onConflict(name)
        : options.onConflict;
    if (!CONFLICT_POLICIES.includes(decision)) {
      throw vaultlinkError("INVALID_INPUT", `Unknown conflict policy "${String(decision)}".`, {
        hint: "Use skip, replace or rename.",
      });
    }
    decisions.set(name, decision);
  }
  const now = (options.now ?? new Date()).toISOString();
  return session.update((doc) => {
    const report: ImportReport = {
      created: [],
      replaced: [],
      renamed: [],
      skipped: [],
      needsConnect: [],
    };
    const missing = new Map<string, { provider: string; names: string[] }>();
    const taken = (n: string) => Object.hasOwn(doc.secrets, n);
    for (const item of payload.secrets) {
      let name = item.name;
      if (taken(name)) {
        // A name that appeared since the questions were asked is skipped, not overwritten.
        const decision = decisions.get(name) ?? "skip";
        if (decision === "skip") {
          report.skipped.push(name);
          continue;
        }
        if (decision === "rename") {
          name = renameTarget(name, taken);
          report.renamed.push({ from: item.name, to: name });
        } else report.replaced.push(name);
      } else report.created.push(name);
      doc.secrets[name] = toRecord(item, name, now);
      if (item.link) {
        const here = doc.integrations[item.link.integration];
        if (!here || here.status === "disconnected" || here.provider !== item.link.provider) {
          const entry = missing.get(item.link.integration) ?? {
            provider: item.link.provider,
            names: [],
          };
          entry.names.push(name);
          missing.set(item.link.integration, entry);
        }
      }
    }
    report.needsConnect = [...missing].map(([integration, v]) => ({ integration, ...v }));
    return report;
  });
}

function toRecord(item: ExportedSecret, name: string, now: string): SecretRecord {
  const record: SecretRecord = {
    name,
    allowedDomains: [...item.allowedDomains],
    enabled: item.enabled,
    createdAt: now,
    updatedAt: now,
  };
  if (item.link) {
    record.link = {
      integration: item.link.integration,
      reference: item.link.reference,
      ...(item.link.jsonKey !== undefined ? { jsonKey: item.link.jsonKey } : {}),
      ...(item.link.version !== undefined ? { version: item.link.version } : {}),
      ...(item.link.options !== undefined ? { options: { ...item.link.options } } : {}),
      linkedAt: now,
    };
  } else record.value = item.value ?? "";
  return record;
}
