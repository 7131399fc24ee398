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
  /**
   * Memory-only sign-ins (`sign-ins: memory`) seen from a process that does not hold them:
   * "agent" when the running agent holds the sign-in, "none" when nothing does (sign in again).
   */
  signInHeldBy?: "agent" | "none";
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

/**
 * Memory-only sign-ins seen from a process that does not hold them: the agent's own view when
 * one runs (connected there: the sign-in lives in the agent), else "sign in again".
 */
export function memoryOnlyView(
  info: IntegrationInfo,
  agentView: IntegrationInfo | undefined,
  agentRuns: boolean,
): IntegrationInfo {
  if (agentView?.status === "connected") {
    return {
      ...info,
      ...(agentView.expiresAt ? { expiresAt: agentView.expiresAt } : {}),
      statusReason: "the sign-in lives in the vaultlink agent (sign-ins: memory)",
      signInHeldBy: "agent",
    };
  }
  const reauth = `vaultlink integration reauth ${info.id}`;
  return {
    ...info,
    status: "auth-expired",
    statusReason: agentRuns
      ? `kept in memory only (sign-ins: memory) and the running agent does not hold it; sign in again: ${reauth}`
      : `kept in memory only (sign-ins: memory) and no agent runs; start it (vaultlink agent start) and sign in again: ${reauth}`,
    signInHeldBy: "none",
  };
}
