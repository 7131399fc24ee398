import { z } from "zod";

/*
 * Schema of the decrypted vault document. Objects are "loose": fields a newer vaultlink added
 * are kept (and written back) instead of being dropped, while every field this version relies
 * on is checked.
 */

const isoTime = z.string().min(1);

const linkSchema = z.looseObject({
  integration: z.string().min(1),
  reference: z.string().min(1),
  jsonKey: z.string().optional(),
  version: z.string().optional(),
  options: z.record(z.string(), z.string()).optional(),
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
  team: z.looseObject({ location: z.string(), checkedAt: z.string().optional() }).optional(),
  connectedAt: isoTime,
  updatedAt: isoTime,
});

const settingsSchema = z.looseObject({
  cacheTtlMinutes: z.number().finite().min(0),
  staleIfErrorMinutes: z.number().finite().min(0).optional(),
  signIns: z.enum(["vault", "memory"]).optional(),
});

/** One secret record. */
export const secretRecordSchema = secretSchema;

/** One integration record. */
export const integrationRecordSchema = integrationSchema;

/** The whole vault document. */
export const vaultDocumentSchema = z.looseObject({
  formatVersion: z.literal(1),
  secrets: z.record(z.string(), secretSchema),
  integrations: z.record(z.string(), integrationSchema),
  settings: settingsSchema,
  renames: z.record(z.string(), z.string()).optional(),
  scriptGrants: z
    .record(
      z.string(),
      z.looseObject({
        collection: z.string(),
        label: z.string(),
        digest: z.string(),
        grantedAt: isoTime,
      }),
    )
    .optional(),
});

/*
 * These zod schemas are the readable specification of the vault document. The check that runs
 * on every open and write is the plain-JavaScript mirror in `document-check.ts` (zod would cost
 * start-up time and tens of milliseconds per 10,000 records); tests keep the two in step.
 */
