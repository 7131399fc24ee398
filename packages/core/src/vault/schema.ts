import { z } from "zod";
import type { VaultDocument } from "./model.js";

/*
 * Schema of the decrypted vault document. Objects are "loose": fields a newer vaultlink added
 * are kept (and written back) instead of being dropped, while every field this version relies
 * on is checked.
 */

const isString = (v: unknown): v is string => typeof v === "string";
const nonEmpty = (v: unknown): boolean => typeof v === "string" && v.length > 0;
const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const isoTime = z.string().min(1);

const linkSchema = z.looseObject({
  integration: z.string().min(1),
  reference: z.string().min(1),
  jsonKey: z.string().optional(),
  version: z.string().optional(),
  linkedAt: isoTime,
});

const secretSchema = z.looseObject({
  name: z.string().min(1),
  value: z.string().optional(),
  link: linkSchema.optional(),
  allowedDomains: z.array(z.string()),
  enabled: z.boolean(),
  createdAt: isoTime,
  updatedAt: isoTime,
});

const integrationSchema = z.looseObject({
  id: z.string().min(1),
  provider: z.string().min(1),
  scope: z.enum(["personal", "team"]),
  authMethod: z.string(),
  settings: z.record(z.string(), z.unknown()),
  credentials: z.record(z.string(), z.unknown()).optional(),
  expiresAt: z.string().optional(),
  status: z.enum(["connected", "auth-expired", "disconnected"]),
  statusReason: z.string().optional(),
  connectedAt: isoTime,
  updatedAt: isoTime,
});

const settingsSchema = z.looseObject({
  cacheTtlMinutes: z.number().finite().min(0),
});

/** One secret record. */
export const secretRecordSchema = secretSchema;

/** The whole vault document. */
export const vaultDocumentSchema = z.looseObject({
  formatVersion: z.literal(1),
  secrets: z.record(z.string(), secretSchema),
  integrations: z.record(z.string(), integrationSchema),
  settings: settingsSchema,
});

/*
 * Validating 10,000 secret records with zod costs 40–150 ms, over the whole open budget. So
 * the document shell (everything but the secret records) goes through zod, and each secret
 * record through `isSecretRecord`, a plain-JS mirror of `secretSchema`; only a record that
 * fails it goes through zod, which then names the problem. (A test keeps the two in step.)
 */
const shellSchema = z.looseObject({
  formatVersion: z.literal(1),
  // Not z.record: that walks (and copies) all 10,000 entries; the loop below walks them once.
  secrets: z.custom<Record<string, unknown>>((v) => isPlainObject(v), {
    message: "expected an object of secret records",
  }),
  integrations: z.record(z.string(), integrationSchema),
  settings: settingsSchema,
});

/** The fast check: true exactly when `secretRecordSchema` accepts `v`. */
export function isSecretRecord(v: unknown): boolean {
  if (!isPlainObject(v)) return false;
  if (!nonEmpty(v.name) || !nonEmpty(v.createdAt) || !nonEmpty(v.updatedAt)) return false;
  if (typeof v.enabled !== "boolean") return false;
  if (v.value !== undefined && !isString(v.value)) return false;
  const domains = v.allowedDomains;
  if (!Array.isArray(domains)) return false;
  for (const d of domains) if (!isString(d)) return false;
  const link = v.link;
  if (link !== undefined) {
    if (!isPlainObject(link)) return false;
    if (!nonEmpty(link.integration) || !nonEmpty(link.reference) || !nonEmpty(link.linkedAt)) {
      return false;
    }
    if (link.jsonKey !== undefined && !isString(link.jsonKey)) return false;
    if (link.version !== undefined && !isString(link.version)) return false;
  }
  return true;
}

export type DocumentCheck =
  | { ok: true; document: VaultDocument }
  | { ok: false; problems: string[] };

export interface CheckOptions {
  /**
   * Secret records of a document already checked: a record identical (===) to the one under
   * the same name here is not checked again.
   */
  checkedSecrets?: Readonly<Record<string, unknown>>;
}

/**
 * Check a value against the vault document schema. On success `document` is `value` itself
 * (not a copy). Problems name the path and what was wrong, never the offending value.
 */
export function checkVaultDocument(value: unknown, options: CheckOptions = {}): DocumentCheck {
  const shell = shellSchema.safeParse(value);
  if (!shell.success) return { ok: false, problems: describe(shell.error.issues, []) };
  const secrets = (value as { secrets: Record<string, unknown> }).secrets;
  const checked = options.checkedSecrets;
  const problems: string[] = [];
  for (const name of Object.keys(secrets)) {
    const record = secrets[name];
    if (checked !== undefined && checked[name] === record && record !== undefined) continue;
    if (isSecretRecord(record)) continue;
    const result = secretRecordSchema.safeParse(record);
    if (!result.success) {
      problems.push(...describe(result.error.issues, ["secrets", name]));
      if (problems.length >= 5) break;
    }
  }
  if (problems.length > 0) return { ok: false, problems: problems.slice(0, 5) };
  return { ok: true, document: value as VaultDocument };
}

function describe(issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[]): string[] {
  return issues.slice(0, 5).map((issue) => {
    const path = [...prefix, ...issue.path];
    const where = path.length === 0 ? "(document)" : path.map(String).join(".");
    const expected =
      "expected" in issue && issue.expected ? ` (expected ${String(issue.expected)})` : "";
    return `${where}: ${issue.code}${expected}`;
  });
}
