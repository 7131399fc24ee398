import { vaultlinkError } from "../errors/index.js";
import type { VaultDocument } from "../vault/model.js";

/**
 * What an export carries for each secret: the local value or the link, the allowed domains
 * and the enabled flag. Integration credentials are never part of an export: after an
 * import the person signs in to each provider again.
 */
export interface ExportedSecret {
  name: string;
  value?: string;
  link?: ExportedLink;
  allowedDomains: string[];
  enabled: boolean;
}

export interface ExportedLink {
  /** Integration id in the exporting vault. */
  integration: string;
  /** Provider plugin id of that integration ("aws"), so the importer knows what to connect. */
  provider: string;
  reference: string;
  jsonKey?: string;
  version?: string;
  options?: Record<string, string>;
}

export interface ExportPayload {
  secrets: ExportedSecret[];
}

/** The export payload of a vault document: secrets only, never credentials. */
export function toPayload(doc: VaultDocument): ExportPayload {
  const secrets = Object.values(doc.secrets)
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((s): ExportedSecret => {
      const base = { name: s.name, allowedDomains: [...s.allowedDomains], enabled: s.enabled };
      if (!s.link) return { ...base, value: s.value ?? "" };
      const integration = doc.integrations[s.link.integration];
      return {
        ...base,
        link: {
          integration: s.link.integration,
          provider: integration?.provider ?? "unknown",
          reference: s.link.reference,
          ...(s.link.jsonKey !== undefined ? { jsonKey: s.link.jsonKey } : {}),
          ...(s.link.version !== undefined ? { version: s.link.version } : {}),
          ...(s.link.options !== undefined ? { options: { ...s.link.options } } : {}),
        },
      };
    });
  return { secrets };
}

/** Check a decoded payload; anything unexpected is EXPORT_CORRUPT. */
export async function parsePayload(value: unknown): Promise<ExportPayload> {
  // zod is loaded only when an export is read, not on every vaultlink start.
  const { payloadSchema } = await import("./payload-schema.js");
  const parsed = payloadSchema.safeParse(value);
  if (!parsed.success) {
    throw vaultlinkError(
      "EXPORT_CORRUPT",
      "The export file's contents are not a valid vaultlink export.",
      {
        hint: "Export the vault again from the original machine; the file may have been edited or truncated.",
      },
    );
  }
  const names = new Set<string>();
  for (const s of parsed.data.secrets) {
    if (names.has(s.name)) {
      throw vaultlinkError(
        "EXPORT_CORRUPT",
        `The export file lists the secret "${s.name}" twice.`,
        {
          hint: "Export the vault again; the file was edited by hand.",
        },
      );
    }
    names.add(s.name);
  }
  return parsed.data as ExportPayload;
}
