import {
  type AdminSetup,
  type AdminSetupInput,
  type AdminSetupResult,
  providerError,
} from "@vaultlink/core/plugin";
import { POSTMAN_JWT_MOUNT, POSTMAN_ROLE } from "./auth/methods.js";
import { createVaultClient, type VaultResponse } from "./client.js";
import { describeFailure, statusOf, toError } from "./errors.js";
import { PROVIDER_ID } from "./meta.js";
import { MountTable } from "./mounts.js";
import { DEFAULT_TEAM_PATH, readSettings } from "./settings.js";
import { VaultTeamAuthority } from "./team.js";

/** The loopback redirect URIs Postman registers (and vaultlink listens on). Do not change. */
export const REDIRECT_URIS = ["http://127.0.0.1:10545/", "http://127.0.0.1:10534/"] as const;

/**
 * Postman's default members' policy: read everywhere, nothing under sys/ or auth/. Vault's
 * exact-path rules (the default policy's auth/token/lookup-self, renew-self and
 * sys/capabilities-self) still win over these globs, so members keep their token calls.
 */
export const DEFAULT_POLICY = `# Members: read secrets; nothing under sys/ or auth/
path "*" {
  capabilities = ["read"]
}
path "sys/*" {
  capabilities = ["deny"]
}
path "auth/*" {
  capabilities = ["deny"]
}
`;

/** Who may publish, change and remove the team setup (the team's Admins). */
export const adminPolicy = (teamDataPath: string) => `# vaultlink team admins: the team setup
path "${teamDataPath}" {
  capabilities = ["create", "read", "update", "delete"]
}
`;

export const SETUP_OPTIONS: AdminSetup["options"] = [
  {
    name: "address",
    title: "Vault address",
    type: "string",
    env: "VAULT_ADDR",
    required: true,
    description: "Where to send the requests (the vault URL argument when not set).",
  },
  {
    name: "token",
    title: "Vault token",
    type: "string",
    secret: true,
    required: true,
    env: "VAULT_TOKEN",
    description: "A token allowed to manage identity/oidc, sys/auth, sys/policies and auth/<path>.",
  },
  { name: "namespace", title: "Namespace", type: "string", env: "VAULT_NAMESPACE", default: "" },
  {
    name: "issuer",
    title: "Vault cluster URL (issuer)",
    type: "string",
    description:
      "Scheme, host and port members' browsers reach Vault at (on HCP the public URL). Default: the address.",
  },
  {
    name: "clientName",
    title: "OIDC client name",
    type: "string",
    env: "OIDC_CLIENT_NAME",
    default: "postman-integration-client",
  },
  {
    name: "providerName",
    title: "OIDC provider name",
    type: "string",
    env: "OIDC_PROVIDER_NAME",
    default: "postman-provider",
  },
  {
    name: "jwtAuthPath",
    title: "JWT auth path",
    type: "string",
    env: "JWT_AUTH_PATH",
    default: POSTMAN_JWT_MOUNT,
  },
  { name: "role", title: "JWT role", type: "string", env: "OIDC_ROLE", default: POSTMAN_ROLE },
  {
    name: "policyName",
    title: "Members' policy name",
    type: "string",
    env: "POLICY_NAME",
    default: "postman-integration-policy",
  },
  {
    name: "policyContent",
    title: "Members' policy (HCL)",
    type: "string",
    env: "POLICY_CONTENT",
    description: "Default (Postman's): read on everything, deny on sys/* and auth/*.",
  },
  {
    name: "teamPath",
    title: "Team setup location",
    type: "string",
    env: "VAULTLINK_TEAM_PATH",
    default: DEFAULT_TEAM_PATH,
  },
  {
    name: "adminPolicyName",
    title: "Team admins' policy name",
    type: "string",
    env: "ADMIN_POLICY_NAME",
    default: "vaultlink-team-admin",
  },
];

const s = (v: unknown, fallback = ""): string =>
  typeof v === "string" && v.trim() !== "" ? v.trim() : fallback;

function same(actual: unknown, wanted: unknown): boolean {
  const norm = (v: unknown): unknown =>
    Array.isArray(v) ? [...v].map(String).sort() : typeof v === "string" ? v.trim() : v;
  return JSON.stringify(norm(actual)) === JSON.stringify(norm(wanted));
}

/**
 * Prepare a Vault the way Postman's setup script does, idempotently: a public OIDC client with
 * the two loopback redirect URIs, an OIDC provider for it, a JWT auth method that trusts that
 * provider, the members' policy and role; then the team admins' policy and the published team
 * setup. Each step reads first and writes only what differs, so a second run changes nothing.
 */
export async function runSetup(input: AdminSetupInput): Promise<AdminSetupResult> {
  const o = input.options;
  const address = s(o.address).replace(/\/+$/, "");
  const token = s(o.token);
  if (!address || !token) {
    throw providerError(
      PROVIDER_ID,
      "AUTH_FAILED",
      "The Vault setup needs VAULT_ADDR and VAULT_TOKEN.",
      {
        hint: "Set VAULT_ADDR (or pass the vault URL) and VAULT_TOKEN (a token allowed to manage auth methods, policies and identity/oidc).",
      },
    );
  }
  const namespace = s(o.namespace).replace(/^\/+|\/+$/g, "");
  const issuer = s(o.issuer, address).replace(/\/+$/, "");
  const clientName = s(o.clientName, "postman-integration-client");
  const providerName = s(o.providerName, "postman-provider");
  const jwtPath = s(o.jwtAuthPath, POSTMAN_JWT_MOUNT)
    .replace(/^\/+|\/+$/g, "")
    .replace(/^auth\//, "");
  const role = s(o.role, POSTMAN_ROLE);
  const policyName = s(o.policyName, "postman-integration-policy");
  const policy = s(o.policyContent, DEFAULT_POLICY);
  const teamPath = s(o.teamPath, DEFAULT_TEAM_PATH);
  const adminPolicyName = s(o.adminPolicyName, "vaultlink-team-admin");
  const settings = readSettings({ address, namespace, teamPath });
  const client = await createVaultClient(settings);
  client.token = token;
  const changes: string[] = [];
  const say = input.notify;

  /** GET, or undefined on 404. */
  const get = async (path: string): Promise<Record<string, unknown> | undefined> => {
    try {
      const r = await client.read(path);
      return (r.data ?? undefined) as Record<string, unknown> | undefined;
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw toError(describeFailure(error, `reading ${path}`, address));
    }
  };
  const put = async (
    path: string,
    body: Record<string, unknown>,
  ): Promise<VaultResponse | undefined> => {
    const line = `POST ${address}/v1/${namespace ? `${namespace}/` : ""}${path} ${JSON.stringify(body)}`;
    changes.push(line);
    if (input.dryRun) {
      say(`would: ${line}`);
      return undefined;
    }
    say(`${line}`);
    try {
      return await client.write(path, body);
    } catch (error) {
      throw toError(describeFailure(error, `writing ${path}`, address));
    }
  };
  /** Write `wanted` at `path` unless what is there already has those values. */
  const ensure = async (
    path: string,
    wanted: Record<string, unknown>,
    current?: Record<string, unknown>,
  ) => {
    const now = current ?? (await get(path));
    const differs = !now || Object.entries(wanted).some(([k, v]) => !same(now[k], v));
    if (differs) await put(path, wanted);
    else say(`unchanged: ${path}`);
  };

  try {
    // 1. The public OIDC client with Postman's loopback redirect URIs.
    const clientPath = `identity/oidc/client/${clientName}`;
    await ensure(clientPath, {
      client_type: "public",
      redirect_uris: [...REDIRECT_URIS],
      assignments: ["allow_all"],
    });
    const clientId = s(
      (await get(clientPath))?.client_id,
      input.dryRun ? "<client id Vault assigns>" : "",
    );
    if (!clientId)
      throw providerError(
        PROVIDER_ID,
        "PROVIDER_ERROR",
        `Vault returned no client_id for ${clientPath}.`,
      );

    // 2. The OIDC provider that lets this client in, with the cluster URL as issuer.
    const providerPath = `identity/oidc/provider/${providerName}`;
    const existing = await get(providerPath);
    const allowed = Array.isArray(existing?.allowed_client_ids)
      ? (existing.allowed_client_ids as unknown[]).map(String)
      : [];
    const issuerOk = typeof existing?.issuer === "string" && existing.issuer.startsWith(issuer);
    if (!existing || !issuerOk || !(allowed.includes(clientId) || allowed.includes("*"))) {
      await put(providerPath, {
        issuer,
        allowed_client_ids: [...new Set([...allowed.filter((c) => c !== "*"), clientId])],
      });
    } else say(`unchanged: ${providerPath}`);
    const discovery =
      input.dryRun && !existing
        ? undefined
        : await get(`${providerPath}/.well-known/openid-configuration`).catch(() => undefined);
    const providerUrl = s(
      (discovery as { issuer?: unknown } | undefined)?.issuer,
      `${issuer}/v1/${namespace ? `${namespace}/` : ""}identity/oidc/provider/${providerName}`,
    );

    // 3. The JWT auth method trusting that provider.
    const mounts = (await get("sys/auth")) ?? {};
    const mounted = mounts[`${jwtPath}/`] as { type?: string } | undefined;
    if (!mounted)
      await put(`sys/auth/${jwtPath}`, {
        type: "jwt",
        description: "Postman/vaultlink sign-in through Vault's OIDC provider",
      });
    else if (mounted.type !== "jwt")
      throw providerError(
        PROVIDER_ID,
        "PROVIDER_ERROR",
        `auth/${jwtPath} is a ${mounted.type} auth method, not jwt.`,
        {
          hint: "Choose another JWT_AUTH_PATH.",
        },
      );
    else say(`unchanged: sys/auth/${jwtPath}`);
    await ensure(
      `auth/${jwtPath}/config`,
      { oidc_discovery_url: providerUrl, default_role: role },
      mounted ? undefined : {},
    );

    // 4. The members' policy and the JWT role that hands it out.
    const policyPath = `sys/policies/acl/${policyName}`;
    const currentPolicy = await get(policyPath);
    if (!currentPolicy || s(currentPolicy.policy) !== policy.trim())
      await put(policyPath, { policy });
    else say(`unchanged: ${policyPath}`);
    await ensure(
      `auth/${jwtPath}/role/${role}`,
      {
        role_type: "jwt",
        bound_audiences: [clientId],
        user_claim: "sub",
        token_policies: [policyName],
      },
      mounted ? undefined : {},
    );

    // 5. Team admins' policy and the team setup members join.
    const team = new VaultTeamAuthority({
      api: async () => client,
      mounts: new MountTable({
        read: (p) => client.read(p),
        classifyDenial: async () => "policy",
        kvVersion: "auto",
        address,
        namespace,
        logger: { debug() {}, info() {}, warn() {}, error() {} },
      }),
      settings,
      rawSettings: () => ({ authMethod: "oidc-provider" }),
      ensureFresh: async () => {},
      classifyDenial: async () => "policy",
    });
    const dataPath = await team.dataPath();
    const adminPolicyPath = `sys/policies/acl/${adminPolicyName}`;
    const adminText = adminPolicy(dataPath);
    const currentAdmin = await get(adminPolicyPath);
    if (!currentAdmin || s(currentAdmin.policy) !== adminText.trim())
      await put(adminPolicyPath, { policy: adminText });
    else say(`unchanged: ${adminPolicyPath}`);
    const join = {
      authMethod: "oidc-provider",
      settings: {
        address,
        ...(namespace ? { namespace } : {}),
        teamPath,
        oidcProviderUrl: providerUrl,
        clientId,
        authMount: jwtPath,
        role,
      },
    };
    const published = await team.read();
    const differs =
      !published ||
      published.authMethod !== join.authMethod ||
      (["oidcProviderUrl", "clientId", "authMount", "role"] as const).some(
        (k) => published.settings[k] !== join.settings[k],
      );
    if (differs) {
      changes.push(
        `POST ${address}/v1/${namespace ? `${namespace}/` : ""}${dataPath} (the team setup: ${JSON.stringify(join)})`,
      );
      if (input.dryRun) say(`would: publish the team setup at ${dataPath}`);
      else {
        say(`publish the team setup at ${dataPath}`);
        await team.publish(join);
      }
    } else say(`unchanged: ${dataPath}`);

    return {
      changes,
      values: [
        { label: "OIDC Provider URL", value: providerUrl },
        { label: "JWT Auth Path", value: jwtPath },
        { label: "Client Id", value: clientId },
        { label: "Role", value: role },
        { label: "Namespace", value: namespace },
      ],
      join,
    };
  } finally {
    client.close();
  }
}

export const ADMIN_SETUP: AdminSetup = {
  title: "Prepare HashiCorp Vault for the team (Postman's setup)",
  description:
    "Makes Vault an OIDC provider for a public client with the loopback redirect URIs, enables a JWT auth method trusting it, writes the members' policy and role, the team admins' policy, and publishes the team setup.",
  options: SETUP_OPTIONS,
  run: runSetup,
};
