import { vaultlinkError } from "../errors/index.js";
import type { TeamRole } from "../plugin/contract.js";
import type { IntegrationScope } from "../vault/model.js";

export type { TeamRole };
export type IntegrationAction = "connect" | "change" | "disconnect";

/** What core knows when it asks: the provider's answer about the signed-in person. */
export interface AccessContext {
  /** The role the provider's own access control grants (HashiCorp: Vault policies). */
  role?: () => Promise<TeamRole>;
  /** Where the team setup lives, for messages. */
  location?: string;
}

/**
 * Decides who may set up, change or disconnect an integration. Personal integrations belong
 * to the vault's owner; team integrations (HashiCorp) need an admin or super admin. The
 * default (`providerAccessPolicy`) asks the provider, whose own access control is the real
 * boundary; embedders may plug in their own authority.
 */
export interface AccessPolicy {
  /** The acting user and role, for messages (optional; the default policy has none). */
  whoami?(): Promise<{ user: string; role: TeamRole }> | { user: string; role: TeamRole };
  /** Throw ACCESS_DENIED when not allowed. */
  assertCanManage(
    integration: { id: string; scope: IntegrationScope },
    action: IntegrationAction,
    context?: AccessContext,
  ): Promise<void> | void;
}

const VERB: Record<IntegrationAction, string> = {
  connect: "set up",
  change: "change",
  disconnect: "disconnect",
};

function denied(id: string, action: IntegrationAction, role: TeamRole, where?: string): Error {
  return vaultlinkError(
    "ACCESS_DENIED",
    `Only a team Admin or Super Admin can ${VERB[action]} the team integration "${id}"; you are a team ${role}${where ? ` (${where})` : ""}.`,
    {
      hint:
        action === "disconnect"
          ? `Ask a team admin. To stop using it yourself, sign out: vaultlink integration signout ${id}.`
          : "Ask a team admin to do it.",
    },
  );
}

/**
 * The default: a team integration may be managed by whoever the provider says is an admin
 * (HashiCorp: whose token may update the team setup in Vault). When the provider cannot say,
 * the answer is no.
 */
export function providerAccessPolicy(): AccessPolicy {
  return {
    async assertCanManage(integration, action, context) {
      if (integration.scope !== "team") return;
      if (!context?.role) {
        throw vaultlinkError(
          "ACCESS_DENIED",
          `Cannot tell whether you may ${VERB[action]} the team integration "${integration.id}": its provider does not say who is an admin.`,
          {
            hint: "Use a provider plugin that publishes team setups, or an embedder's AccessPolicy.",
          },
        );
      }
      const role = await context.role();
      if (!MANAGING_ROLES.includes(role))
        throw denied(integration.id, action, role, context.location);
    },
  };
}

export const MANAGING_ROLES: readonly TeamRole[] = ["admin", "super-admin"];

/**
 * For embedders with their own authority: a fixed or computed role decides, whatever the
 * provider says. (The CLI does not use it: it asks the provider.)
 */
export function roleAccessPolicy(
  current: () => { user: string; role: TeamRole } | Promise<{ user: string; role: TeamRole }>,
): AccessPolicy {
  return {
    whoami: current,
    async assertCanManage(integration, action) {
      if (integration.scope !== "team") return;
      const { user, role } = await current();
      if (!MANAGING_ROLES.includes(role)) throw denied(integration.id, action, role, user);
    },
  };
}
