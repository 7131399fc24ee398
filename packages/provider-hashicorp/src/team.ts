import {
  type TeamAuthority,
  type TeamRole,
  type TeamSetup,
  vaultlinkError,
} from "@vaultlink/core/plugin";
import { defaultMount } from "./auth/methods.js";
import type { VaultClient, VaultResponse } from "./client.js";
import { describeFailure, isDenied, statusOf, toError, type VaultFailure } from "./errors.js";
import { PROVIDER_ID } from "./meta.js";
import type { MountTable } from "./mounts.js";
import type { DenialVerdict } from "./read.js";
import type { VaultSettings } from "./settings.js";

/** Marks a KV secret as a vaultlink team setup (and its format). */
export const TEAM_MARKER = { key: "vaultlink", value: "team-setup/1" } as const;

/**
 * The settings a team shares through its published setup; every member's vault follows them.
 * Where Vault is (address, namespace), where the setup lives (teamPath) and local files or
 * TLS shortcuts (caFile, tlsSkipVerify) stay each member's own.
 */
export const TEAM_SETTINGS = [
  "authMount",
  "role",
  "oidcProviderUrl",
  "clientId",
  "kvVersion",
  "caCert",
  "timeoutSeconds",
] as const;

/** Published for people reading the setup in Vault; members keep their own values. */
const INFO_SETTINGS = ["address", "namespace"] as const;

export interface TeamDeps {
  api(): Promise<VaultClient>;
  mounts: MountTable;
  settings: VaultSettings;
  rawSettings(): Record<string, unknown>;
  /** Before every call: renew the token when due (as a fetch would). */
  ensureFresh(): Promise<void>;
  classifyDenial(): Promise<DenialVerdict>;
}

/** `engine/path` or `engine::path` (nested engines) of the teamPath setting. */
export function splitTeamPath(teamPath: string): { mount: string; path: string } {
  const at = teamPath.indexOf("::");
  const [mount, path] =
    at >= 0
      ? [teamPath.slice(0, at), teamPath.slice(at + 2)]
      : [teamPath.slice(0, teamPath.indexOf("/")), teamPath.slice(teamPath.indexOf("/") + 1)];
  const clean = (s: string) => s.replace(/^\/+|\/+$/g, "");
  if (!teamPath.includes("/") && at < 0) {
    throw vaultlinkError(
      "INVALID_INPUT",
      `The team setup location "${teamPath}" names no path inside a KV engine.`,
      { hint: "Use <engine>/<path>, such as secret/vaultlink/team.", provider: PROVIDER_ID },
    );
  }
  return { mount: clean(mount), path: clean(path) };
}

/**
 * The team setup in the team's own Vault: a KV secret at `teamPath` (default
 * secret/vaultlink/team). Vault's policies on that path are the Admin rule: whoever may
 * update it is an admin; sys/capabilities-self says so without trying.
 */
export class VaultTeamAuthority implements TeamAuthority {
  readonly location: string;
  readonly shared = TEAM_SETTINGS;
  #where: { mount: string; path: string };

  constructor(private readonly deps: TeamDeps) {
    this.#where = splitTeamPath(deps.settings.teamPath);
    const ns = deps.settings.namespace ? ` (namespace ${deps.settings.namespace})` : "";
    this.location = `${deps.settings.teamPath} in Vault at ${deps.settings.address}${ns}`;
  }

  async #kvPath(kind: "data" | "metadata" = "data"): Promise<{ path: string; v2: boolean }> {
    const engine = await this.deps.mounts.engine(this.#where.mount);
    if (!("version" in engine)) throw toError(engine);
    const v2 = engine.version === 2;
    return {
      path: v2
        ? `${this.#where.mount}/${kind}/${this.#where.path}`
        : `${this.#where.mount}/${this.#where.path}`,
      v2,
    };
  }

  /** A 401/403 is the token (sign in again) or the policy (PERMISSION_DENIED, naming why). */
  async #denied(error: unknown, action: string, policyHint: string): Promise<Error> {
    if (!isDenied(error))
      return toError(describeFailure(error, action, this.deps.settings.address));
    const verdict = await this.deps.classifyDenial();
    if (verdict !== "policy" && verdict !== "retry") return toError(verdict);
    const failure: VaultFailure = {
      code: "PERMISSION_DENIED",
      message: `Vault's policy denies ${action}.`,
      hint: policyHint,
      details: { status: statusOf(error) },
    };
    return toError(failure);
  }

  /** The KV path the setup is read and written at (…/data/… on KV v2). */
  async dataPath(): Promise<string> {
    return (await this.#kvPath()).path;
  }

  async read(): Promise<TeamSetup | undefined> {
    await this.deps.ensureFresh();
    const { path, v2 } = await this.#kvPath();
    let response: VaultResponse;
    try {
      response = await (await this.deps.api()).read(path);
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw await this.#denied(
        error,
        `reading the team setup at ${path}`,
        `Ask a Vault admin to grant your policy "read" on ${path}.`,
      );
    }
    // Only Vault's 404 means "no setup" (removed: members disconnect). An answer that is not a
    // KV secret (a proxy's page, a broken body) is unreadable, never "removed".
    const envelope = isRecord(response) ? response.data : undefined;
    const data = v2 ? (isRecord(envelope) ? envelope.data : undefined) : envelope;
    if (!isRecord(data)) {
      throw vaultlinkError(
        "PROVIDER_ERROR",
        `Vault's answer for the team setup at ${path} is not a KV secret.`,
        {
          hint: "Check the address (a proxy or another service may be answering), then try again.",
          provider: PROVIDER_ID,
        },
      );
    }
    if (data[TEAM_MARKER.key] !== TEAM_MARKER.value) {
      throw vaultlinkError(
        "INVALID_INPUT",
        `The secret at ${path} is not a vaultlink team setup.`,
        {
          hint: "Choose another teamPath, or let an admin publish the setup there.",
          provider: PROVIDER_ID,
        },
      );
    }
    const authMethod = typeof data.authMethod === "string" ? data.authMethod : "";
    const settings: Record<string, unknown> = {};
    for (const key of TEAM_SETTINGS)
      if (data[key] !== undefined && data[key] !== "") settings[key] = data[key];
    return { authMethod, settings };
  }

  async publish(setup: TeamSetup): Promise<void> {
    await this.deps.ensureFresh();
    const { path, v2 } = await this.#kvPath();
    const body: Record<string, unknown> = {
      [TEAM_MARKER.key]: TEAM_MARKER.value,
      authMethod: setup.authMethod,
    };
    for (const key of [...INFO_SETTINGS, ...TEAM_SETTINGS]) {
      const v = setup.settings[key];
      if (v !== undefined && v !== "") body[key] = v;
    }
    try {
      await (await this.deps.api()).write(path, v2 ? { data: body } : body);
    } catch (error) {
      throw await this.#denied(
        error,
        `updating the team setup at ${path}`,
        "Only a team admin may publish it: an admin's Vault policy allows create/update on that path.",
      );
    }
  }

  async remove(): Promise<void> {
    await this.deps.ensureFresh();
    const { path } = await this.#kvPath();
    try {
      await (await this.deps.api()).delete(path);
    } catch (error) {
      if (statusOf(error) === 404) return;
      throw await this.#denied(
        error,
        `removing the team setup at ${path}`,
        "Only a team admin may remove it: an admin's Vault policy allows delete on that path.",
      );
    }
  }

  /**
   * Ask Vault (sys/capabilities-self) what this token may do: update on the team setup makes
   * an admin; managing auth methods, policies and (for the Vault OIDC provider) the provider
   * as well makes a super admin.
   */
  async role(): Promise<TeamRole> {
    await this.deps.ensureFresh();
    const { path } = await this.#kvPath();
    const raw = this.deps.rawSettings();
    const method = typeof raw.authMethod === "string" ? raw.authMethod : "";
    const authMount = this.deps.settings.authMount ?? defaultMount(method || "oidc-provider");
    const providerName = this.deps.settings.oidcProviderUrl?.match(
      /identity\/oidc\/provider\/([^/]+)/,
    )?.[1];
    const paths = [
      path,
      `sys/auth/${authMount}`,
      "sys/policies/acl/vaultlink-team",
      "sys/policy/vaultlink-team",
      ...(providerName ? [`identity/oidc/provider/${providerName}`] : []),
    ];
    let response: VaultResponse;
    try {
      response = await (await this.deps.api()).write("sys/capabilities-self", { paths });
    } catch (error) {
      // A policy that denies sys/ (Postman's denies it) proves nothing: no admin then.
      if (isDenied(error)) return "member";
      throw await this.#denied(
        error,
        "asking what your token may do (sys/capabilities-self)",
        "Vault's default policy allows sys/capabilities-self; ask a Vault admin to keep it attached.",
      );
    }
    const source = (
      response.data && typeof response.data === "object" ? response.data : response
    ) as Record<string, unknown>;
    const caps = (p: string): string[] => {
      const v = source[p] ?? (paths.length === 1 ? source.capabilities : undefined);
      return Array.isArray(v) ? v.map(String) : [];
    };
    const can = (p: string, ...wanted: string[]) => {
      const c = caps(p);
      return c.includes("root") || (!c.includes("deny") && wanted.some((w) => c.includes(w)));
    };
    if (!can(path, "update", "create")) return "member";
    const superAdmin =
      can(`sys/auth/${authMount}`, "sudo") &&
      can(`sys/auth/${authMount}`, "update", "create") &&
      (can("sys/policies/acl/vaultlink-team", "update", "create") ||
        can("sys/policy/vaultlink-team", "update", "create")) &&
      (!providerName || can(`identity/oidc/provider/${providerName}`, "update", "create"));
    return superAdmin ? "super-admin" : "admin";
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
