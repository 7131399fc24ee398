import type { VaultDocument } from "./model.js";

/*
 * The vault document rules: the one definition of what a decrypted vault document must hold,
 * checked on every open and every write. Objects are open: fields a newer vaultlink added are
 * kept (and written back) instead of being dropped, while every field this version relies on
 * is checked. Plain JavaScript on purpose: a schema library costs ~50 ms at start-up and
 * checking 10,000 records with one 40–150 ms, more than a whole `vaultlink read` may take.
 *
 * Problems name the path and what was expected, never the offending value.
 */

type Problem = string;
const isString = (v: unknown): v is string => typeof v === "string";
const nonEmpty = (v: unknown): boolean => typeof v === "string" && v.length > 0;
const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function optionalString(v: unknown): boolean {
  return v === undefined || isString(v);
}

/** The first problem of a secret record, as `field (expected …)`, or undefined. */
export function secretRecordProblem(v: unknown): Problem | undefined {
  if (!isPlainObject(v)) return "(record) (expected object)";
  if (!nonEmpty(v.name)) return "name (expected non-empty string)";
  if (!optionalString(v.value)) return "value (expected string)";
  const domains = v.allowedDomains;
  if (!Array.isArray(domains) || !domains.every(isString)) {
    return "allowedDomains (expected array of strings)";
  }
  if (typeof v.enabled !== "boolean") return "enabled (expected boolean)";
  if (!nonEmpty(v.createdAt)) return "createdAt (expected non-empty string)";
  if (!nonEmpty(v.updatedAt)) return "updatedAt (expected non-empty string)";
  const link = v.link;
  if (link !== undefined) {
    if (!isPlainObject(link)) return "link (expected object)";
    if (!nonEmpty(link.integration)) return "link.integration (expected non-empty string)";
    if (!nonEmpty(link.reference)) return "link.reference (expected non-empty string)";
    if (!nonEmpty(link.linkedAt)) return "link.linkedAt (expected non-empty string)";
    if (!optionalString(link.jsonKey)) return "link.jsonKey (expected string)";
    if (!optionalString(link.version)) return "link.version (expected string)";
    if (
      link.options !== undefined &&
      (!isPlainObject(link.options) ||
        !Object.values(link.options).every((o) => typeof o === "string"))
    ) {
      return "link.options (expected object of strings)";
    }
  }
  return undefined;
}

/** Whether `v` is a valid secret record. */
export function isSecretRecord(v: unknown): boolean {
  return secretRecordProblem(v) === undefined;
}

const SCOPES = new Set(["personal", "team"]);
const STATUSES = new Set(["connected", "auth-expired", "disconnected"]);

/** The first problem of an integration record, or undefined. */
export function integrationRecordProblem(v: unknown): Problem | undefined {
  if (!isPlainObject(v)) return "(record) (expected object)";
  if (!nonEmpty(v.id)) return "id (expected non-empty string)";
  if (!nonEmpty(v.provider)) return "provider (expected non-empty string)";
  if (!isString(v.scope) || !SCOPES.has(v.scope)) return "scope (expected personal or team)";
  if (!isString(v.authMethod)) return "authMethod (expected string)";
  if (!isPlainObject(v.settings)) return "settings (expected object)";
  if (v.credentials !== undefined && !isPlainObject(v.credentials)) {
    return "credentials (expected object)";
  }
  if (!optionalString(v.expiresAt)) return "expiresAt (expected string)";
  if (!isString(v.status) || !STATUSES.has(v.status)) return "status (expected a known status)";
  if (!optionalString(v.statusReason)) return "statusReason (expected string)";
  const team = v.team;
  if (team !== undefined) {
    if (!isPlainObject(team)) return "team (expected object)";
    if (!isString(team.location)) return "team.location (expected string)";
    if (!optionalString(team.checkedAt)) return "team.checkedAt (expected string)";
  }
  if (!nonEmpty(v.connectedAt)) return "connectedAt (expected non-empty string)";
  if (!nonEmpty(v.updatedAt)) return "updatedAt (expected non-empty string)";
  return undefined;
}

export type DocumentCheck =
  | { ok: true; document: VaultDocument }
  | { ok: false; problems: string[] };

export interface CheckOptions {
  /**
   * Secret records of a document already checked: a record identical (===) to the one under
   * the same name here is not checked again (frozen records cannot have changed).
   */
  checkedSecrets?: Readonly<Record<string, unknown>>;
}

/** Check a value against the vault document rules. On success `document` is `value` itself. */
export function checkVaultDocument(value: unknown, options: CheckOptions = {}): DocumentCheck {
  const problems: string[] = [];
  const add = (path: string, problem: string) => {
    problems.push(`${path}${problem.startsWith("(record)") ? problem.slice(8) : `.${problem}`}`);
  };
  if (!isPlainObject(value)) return { ok: false, problems: ["(document) (expected object)"] };
  if (value.formatVersion !== 1) problems.push("formatVersion (expected 1)");
  const settings = value.settings;
  if (!isPlainObject(settings)) problems.push("settings (expected object)");
  else {
    const ttl = settings.cacheTtlMinutes;
    if (typeof ttl !== "number" || !Number.isFinite(ttl) || ttl < 0) {
      problems.push("settings.cacheTtlMinutes (expected a number ≥ 0)");
    }
    const stale = settings.staleIfErrorMinutes;
    if (
      stale !== undefined &&
      (typeof stale !== "number" || !Number.isFinite(stale) || stale < 0)
    ) {
      problems.push("settings.staleIfErrorMinutes (expected a number ≥ 0)");
    }
    const signIns = settings.signIns;
    if (signIns !== undefined && signIns !== "vault" && signIns !== "memory") {
      problems.push('settings.signIns (expected "vault" or "memory")');
    }
  }
  const integrations = value.integrations;
  if (!isPlainObject(integrations)) problems.push("integrations (expected object)");
  else {
    for (const id of Object.keys(integrations)) {
      const p = integrationRecordProblem(integrations[id]);
      if (p) add(`integrations.${id}`, p);
      if (problems.length >= 5) break;
    }
  }
  const renames = value.renames;
  if (renames !== undefined) {
    if (!isPlainObject(renames) || !Object.values(renames).every(isString)) {
      problems.push("renames (expected an object of names)");
    }
  }
  const grants = value.scriptGrants;
  if (grants !== undefined) {
    const ok =
      isPlainObject(grants) &&
      Object.values(grants).every(
        (g) =>
          isPlainObject(g) &&
          isString(g.collection) &&
          isString(g.label) &&
          isString(g.digest) &&
          nonEmpty(g.grantedAt),
      );
    if (!ok) problems.push("scriptGrants (expected an object of grants)");
  }
  const secrets = value.secrets;
  if (!isPlainObject(secrets)) problems.push("secrets (expected an object of secret records)");
  else {
    const checked = options.checkedSecrets;
    for (const name of Object.keys(secrets)) {
      if (problems.length >= 5) break;
      const record = secrets[name];
      if (checked !== undefined && record !== undefined && checked[name] === record) continue;
      const p = secretRecordProblem(record);
      if (p) add(`secrets.${name}`, p);
    }
  }
  if (problems.length > 0) return { ok: false, problems: problems.slice(0, 5) };
  return { ok: true, document: value as unknown as VaultDocument };
}
