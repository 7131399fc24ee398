/**
 * Export and import of vault secrets: a versioned JSON envelope, encrypted by default with a
 * password (scrypt → AES-256-GCM). Exports carry secrets, links, allowed domains and the
 * enabled flag; integration credentials never leave the vault.
 */
import type { VaultSession } from "../vault/types.js";
import { type EncodeOptions, encodeExport } from "./envelope.js";
import { type ImportOptions, type ImportReport, importPayload } from "./import.js";
import { type ExportPayload, toPayload } from "./payload.js";

// Hosts export and import through Vault#exportSecrets and Vault#importSecrets, which run these
// on the vault's own session.

export {
  checkExportPassword,
  decodeExport,
  type EncodeOptions,
  type EncryptedEnvelope,
  EXPORT_FORMAT,
  EXPORT_KDF,
  EXPORT_VERSION,
  type ExportEnvelope,
  encodeExport,
  isEncryptedExport,
  MIN_EXPORT_PASSWORD_LENGTH,
  type PlaintextEnvelope,
  parseEnvelope,
} from "./envelope.js";
export {
  CONFLICT_POLICIES,
  type ConflictPolicy,
  type ImportOptions,
  type ImportReport,
  importConflicts,
  importPayload,
  renameTarget,
} from "./import.js";
export {
  type ExportedLink,
  type ExportedSecret,
  type ExportPayload,
  parsePayload,
  toPayload,
} from "./payload.js";

/** The text of an export file for the vault behind `session`. */
export async function exportVault(session: VaultSession, options: EncodeOptions): Promise<string> {
  const payload: ExportPayload = toPayload(await session.read());
  return encodeExport(payload, options);
}

/** Import a decoded export (see `decodeExport`) into the vault behind `session`. */
export function importVault(
  session: VaultSession,
  payload: ExportPayload,
  options: ImportOptions,
): Promise<ImportReport> {
  return importPayload(session, payload, options);
}
