import type { IntegrationRecord, IntegrationScope, IntegrationStatus } from "../vault/model.js";

/** What `integration list/status` shows: never credentials. */
export interface IntegrationInfo {
  id: string;
  provider: string;
  scope: IntegrationScope;
  authMethod: string;
  settings: Record<string, unknown>;
  status: IntegrationStatus;
  statusReason?: string;
  expiresAt?: string;
  connectedAt: string;
  updatedAt: string;
}

export function toIntegrationInfo(r: IntegrationRecord, now: number): IntegrationInfo {
  const expired =
    r.expiresAt !== undefined && Date.parse(r.expiresAt) <= now && r.status === "connected";
  return {
    id: r.id,
    provider: r.provider,
    scope: r.scope,
    authMethod: r.authMethod,
    settings: { ...r.settings },
    status: expired ? "auth-expired" : r.status,
    ...(expired
      ? { statusReason: "credentials passed their expiry time" }
      : r.statusReason
        ? { statusReason: r.statusReason }
        : {}),
    ...(r.expiresAt ? { expiresAt: r.expiresAt } : {}),
    connectedAt: r.connectedAt,
    updatedAt: r.updatedAt,
  };
}
