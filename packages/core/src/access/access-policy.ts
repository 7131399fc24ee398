import { vaultlinkError } from "../errors/index.js";
import type { IntegrationScope } from "../vault/model.js";

export type TeamRole = "member" | "admin" | "super-admin";
export type IntegrationAction = "connect" | "change" | "disconnect";

/**
 * Decides who may set up, change or disconnect an integration. Personal integrations belong
 * to the vault's owner; team integrations (HashiCorp) need an admin or super admin.
 * This is a local check: it keeps honest members from breaking the team setup, it is not a
 * security boundary against someone who controls the machine.
 */
export interface AccessPolicy {
  /** The acting user and role, for messages. */
  whoami(): Promise<{ user: string; role: TeamRole }> | { user: string; role: TeamRole };
  /** Throw ACCESS_DENIED when not allowed. */
  assertCanManage(
    integration: { id: string; scope: IntegrationScope },
    action: IntegrationAction,
  ): Promise<void> | void;
}

export const MANAGING_ROLES: readonly TeamRole[] = ["admin", "super-admin"];

/** A policy from a fixed or computed user and role. */
export function roleAccessPolicy(
  current: () => { user: string; role: TeamRole } | Promise<{ user: string; role: TeamRole }>,
): AccessPolicy {
  return {
    whoami: current,
    async assertCanManage(integration, action) {
      if (integration.scope !== "team") return;
      const { user, role } = await current();
      if (!MANAGING_ROLES.includes(role)) {
        throw vaultlinkError(
          "ACCESS_DENIED",
          `${user} is a team ${role} and cannot ${action} the team integration "${integration.id}"; only an Admin or Super Admin can.`,
          { hint: "Ask a team admin to do it, or use an account with the admin role." },
        );
      }
    },
  };
}
