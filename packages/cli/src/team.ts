import { readFile } from "node:fs/promises";
import { userInfo } from "node:os";
import { join } from "node:path";
import type { AccessPolicy, TeamRole } from "@vaultlink/core";
import { CliError, ExitCode } from "./errors.js";
import { vaultHome } from "./home.js";

const ROLES: readonly TeamRole[] = ["member", "admin", "super-admin"];

export function teamFile(explicit?: string): string {
  return explicit ?? process.env.VAULTLINK_TEAM_FILE?.trim() ?? join(vaultHome(), "team.json");
}

export function currentUser(): string {
  const fromEnv = process.env.VAULTLINK_USER?.trim();
  if (fromEnv) return fromEnv;
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? "you";
  }
}

/**
 * The acting user's team role from the team file `{ "members": { "<user>": "member" | … } }`.
 * Without a team file the local user is the admin of a solo team. A user missing from an
 * existing team file is a member.
 */
export async function whoami(
  explicitFile?: string,
): Promise<{ user: string; role: TeamRole; file?: string }> {
  const user = currentUser();
  const file = teamFile(explicitFile || undefined);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { user, role: "admin" };
    throw teamError(file, (error as Error).message);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw teamError(file, "it is not valid JSON");
  }
  const members = (value as { members?: unknown } | null)?.members;
  if (!members || typeof members !== "object" || Array.isArray(members))
    throw teamError(file, '"members" must be an object');
  const role = (members as Record<string, unknown>)[user];
  if (role === undefined) return { user, role: "member", file };
  if (!ROLES.includes(role as TeamRole))
    throw teamError(file, `the role of ${user} must be member, admin or super-admin`);
  return { user, role: role as TeamRole, file };
}

function teamError(file: string, why: string): CliError {
  return new CliError(`The team file ${file} cannot be used: ${why}.`, {
    hint: 'Expected { "members": { "<user>": "member" | "admin" | "super-admin" } }.',
    exitCode: ExitCode.usage,
    code: "TEAM_FILE_INVALID",
  });
}

export async function teamAccessPolicy(explicitFile?: string): Promise<AccessPolicy> {
  const { roleAccessPolicy } = await import("@vaultlink/core");
  return roleAccessPolicy(async () => {
    const { user, role } = await whoami(explicitFile);
    return { user, role };
  });
}
