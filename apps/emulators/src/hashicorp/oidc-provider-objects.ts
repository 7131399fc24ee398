import type { EmulatorResponse } from "../shared/index.js";
import type { ApiContext, Endpoint } from "./api-route.js";
import { durationField, stringField, stringList } from "./api-route.js";
import { jsonBody } from "./body.js";
import { envelope, NO_CONTENT, notFound, ok, vaultError } from "./envelope.js";
import {
  base62,
  type Entity,
  generateKey,
  type NamedKey,
  type OidcClient,
  type OidcProvider,
} from "./identity.js";
import type { VaultState } from "./state.js";

/** The names Vault accepts for OIDC objects. */
export const NAME = "([A-Za-z0-9][\\w.-]*)";

// ---------------------------------------------------------------- keys

const SUPPORTED_ALGS = ["RS256", "ES256"] as const;

function writeKey(ctx: ApiContext): EmulatorResponse {
  const name = ctx.params[0] as string;
  const body = jsonBody(ctx.req);
  const existing = ctx.state.identity.key(name);
  const algorithm = stringField(body.algorithm, "algorithm") ?? existing?.algorithm ?? "RS256";
  if (!(SUPPORTED_ALGS as readonly string[]).includes(algorithm)) {
    return vaultError(
      400,
      `unknown signing algorithm "${algorithm}" (the emulator signs RS256 and ES256)`,
    );
  }
  const settings = {
    verificationTtl:
      durationField(body.verification_ttl, "verification_ttl") ??
      existing?.verificationTtl ??
      86_400,
    rotationPeriod:
      durationField(body.rotation_period, "rotation_period") ?? existing?.rotationPeriod ?? 86_400,
    allowedClientIds:
      stringList(body.allowed_client_ids, "allowed_client_ids") ?? existing?.allowedClientIds ?? [],
  };
  const key: NamedKey =
    existing && existing.algorithm === algorithm
      ? { ...existing, ...settings }
      : generateKey(name, algorithm as NamedKey["algorithm"], settings);
  ctx.state.identity.keys.set(name, key);
  return NO_CONTENT;
}

function readKey(ctx: ApiContext): EmulatorResponse {
  const key = ctx.state.identity.key(ctx.params[0] as string);
  if (!key) return notFound();
  return ok(
    envelope({
      algorithm: key.algorithm,
      allowed_client_ids: key.allowedClientIds,
      rotation_period: key.rotationPeriod,
      verification_ttl: key.verificationTtl,
    }),
  );
}

function deleteKey(ctx: ApiContext): EmulatorResponse {
  const name = ctx.params[0] as string;
  const users = [...ctx.state.identity.clients.values()]
    .filter((c) => c.key === name)
    .map((c) => c.name);
  if (users.length > 0) {
    return vaultError(
      400,
      `unable to delete key "${name}" because it is currently referenced by these clients: ${users.sort().join(", ")}`,
    );
  }
  ctx.state.identity.keys.delete(name);
  return NO_CONTENT;
}

// ---------------------------------------------------------------- assignments and scopes

function writeAssignment(ctx: ApiContext): EmulatorResponse {
  const name = ctx.params[0] as string;
  if (name === "allow_all")
    return vaultError(400, 'modification of assignment "allow_all" not allowed');
  const body = jsonBody(ctx.req);
  const existing = ctx.state.identity.assignments.get(name);
  ctx.state.identity.assignments.set(name, {
    entityIds: stringList(body.entity_ids, "entity_ids") ?? existing?.entityIds ?? [],
    groupIds: stringList(body.group_ids, "group_ids") ?? existing?.groupIds ?? [],
  });
  return NO_CONTENT;
}

function readAssignment(ctx: ApiContext): EmulatorResponse {
  const found = ctx.state.identity.assignments.get(ctx.params[0] as string);
  return found
    ? ok(envelope({ entity_ids: found.entityIds, group_ids: found.groupIds }))
    : notFound();
}

function deleteAssignment(ctx: ApiContext): EmulatorResponse {
  const name = ctx.params[0] as string;
  if (name === "allow_all")
    return vaultError(400, 'deletion of assignment "allow_all" not allowed');
  ctx.state.identity.assignments.delete(name);
  return NO_CONTENT;
}

/** Fill a scope template for an entity: `{{identity.entity.id}}`, `.name`, groups (none). */
export function fillTemplate(template: string, entity: Pick<Entity, "id" | "name">): string {
  return template.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_all, name: string) => {
    if (name === "identity.entity.id") return JSON.stringify(entity.id);
    if (name === "identity.entity.name") return JSON.stringify(entity.name);
    if (name.startsWith("identity.entity.groups.")) return "[]";
    if (name.startsWith("identity.entity.metadata"))
      return name === "identity.entity.metadata" ? "{}" : '""';
    return '""';
  });
}

const RESERVED_CLAIMS = [
  "iat",
  "aud",
  "exp",
  "iss",
  "sub",
  "namespace",
  "nonce",
  "auth_time",
  "at_hash",
  "c_hash",
];

function writeScope(ctx: ApiContext): EmulatorResponse {
  const name = ctx.params[0] as string;
  if (name === "openid") return vaultError(400, 'the "openid" scope name is reserved');
  const body = jsonBody(ctx.req);
  const existing = ctx.state.identity.scopes.get(name);
  let template = stringField(body.template, "template") ?? existing?.template ?? "";
  if (template !== "" && /^[A-Za-z0-9+/]+=*$/.test(template)) {
    const decoded = Buffer.from(template, "base64").toString("utf8");
    if (
      Buffer.from(decoded, "utf8").toString("base64").replace(/=+$/, "") ===
      template.replace(/=+$/, "")
    ) {
      template = decoded;
    }
  }
  if (template !== "") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(fillTemplate(template, { id: "", name: "" }));
    } catch (error) {
      return vaultError(400, `error parsing template JSON: ${(error as Error).message}`);
    }
    for (const key of Object.keys((parsed ?? {}) as object)) {
      if (RESERVED_CLAIMS.includes(key)) {
        return vaultError(
          400,
          `top level key "${key}" not allowed. Restricted keys: ${RESERVED_CLAIMS.join(", ")}`,
        );
      }
    }
  }
  ctx.state.identity.scopes.set(name, {
    template,
    description: stringField(body.description, "description") ?? existing?.description ?? "",
  });
  return NO_CONTENT;
}

function readScope(ctx: ApiContext): EmulatorResponse {
  const found = ctx.state.identity.scopes.get(ctx.params[0] as string);
  return found
    ? ok(envelope({ template: found.template, description: found.description }))
    : notFound();
}

function deleteScope(ctx: ApiContext): EmulatorResponse {
  const name = ctx.params[0] as string;
  const users = [...ctx.state.identity.providers.values()]
    .filter((p) => p.scopesSupported.includes(name))
    .map((p) => p.name);
  if (users.length > 0) {
    return vaultError(
      400,
      `unable to delete scope "${name}" because it is currently referenced by these providers: ${users.sort().join(", ")}`,
    );
  }
  ctx.state.identity.scopes.delete(name);
  return NO_CONTENT;
}

// ---------------------------------------------------------------- clients

function writeClient(ctx: ApiContext): EmulatorResponse {
  const name = ctx.params[0] as string;
  const body = jsonBody(ctx.req);
  const { identity } = ctx.state;
  const existing = identity.clients.get(name);
  const assignments = stringList(body.assignments, "assignments") ?? existing?.assignments ?? [];
  for (const assignment of assignments) {
    if (!identity.assignments.has(assignment)) {
      return vaultError(400, `assignment "${assignment}" does not exist`);
    }
  }
  const keyName = stringField(body.key, "key") ?? existing?.key ?? "default";
  if (existing && keyName !== existing.key)
    return vaultError(400, "key modification is not allowed");
  const key = identity.key(keyName);
  if (!key) return vaultError(400, `key "${keyName}" does not exist`);
  const clientType =
    stringField(body.client_type, "client_type") ?? existing?.clientType ?? "confidential";
  if (existing && clientType !== existing.clientType) {
    return vaultError(400, "client_type modification is not allowed");
  }
  if (clientType !== "confidential" && clientType !== "public") {
    return vaultError(400, `invalid client_type "${clientType}"`);
  }
  const idTokenTtl =
    durationField(body.id_token_ttl, "id_token_ttl") ?? existing?.idTokenTtl ?? 86_400;
  if (idTokenTtl > key.verificationTtl) {
    return vaultError(
      400,
      "a client's id_token_ttl cannot be greater than the verification_ttl of the key it references",
    );
  }
  const client: OidcClient = {
    name,
    clientId: existing?.clientId ?? base62(32),
    clientType,
    redirectUris: stringList(body.redirect_uris, "redirect_uris") ?? existing?.redirectUris ?? [],
    assignments,
    key: keyName,
    idTokenTtl,
    accessTokenTtl:
      durationField(body.access_token_ttl, "access_token_ttl") ??
      existing?.accessTokenTtl ??
      86_400,
  };
  if (clientType === "confidential") {
    client.clientSecret = existing?.clientSecret ?? `hvo_secret_${base62(64)}`;
  }
  identity.clients.set(name, client);
  return NO_CONTENT;
}

function clientData(client: OidcClient, withSecret: boolean): Record<string, unknown> {
  return {
    redirect_uris: client.redirectUris,
    assignments: client.assignments,
    key: client.key,
    id_token_ttl: client.idTokenTtl,
    access_token_ttl: client.accessTokenTtl,
    client_id: client.clientId,
    client_type: client.clientType,
    ...(withSecret && client.clientSecret ? { client_secret: client.clientSecret } : {}),
  };
}

function readClient(ctx: ApiContext): EmulatorResponse {
  const client = ctx.state.identity.clients.get(ctx.params[0] as string);
  return client ? ok(envelope(clientData(client, true))) : notFound();
}

function listClients(ctx: ApiContext): EmulatorResponse {
  const clients = [...ctx.state.identity.clients.values()].sort((a, b) =>
    a.name.localeCompare(b.name),
  );
  if (clients.length === 0) return notFound();
  const keyInfo = Object.fromEntries(clients.map((c) => [c.name, clientData(c, false)]));
  return ok(envelope({ keys: clients.map((c) => c.name), key_info: keyInfo }));
}

// ---------------------------------------------------------------- providers

/** The provider's `iss`: its issuer (or the server's address) + /v1/<ns>/identity/oidc/provider/<name>. */
export function issuerOf(state: VaultState, provider: OidcProvider): string {
  const base = provider.issuer || state.apiAddr;
  const ns = provider.namespace ? `${provider.namespace}/` : "";
  return `${base}/v1/${ns}identity/oidc/provider/${provider.name}`;
}

export const allowsClient = (provider: OidcProvider, clientId: string) =>
  provider.allowedClientIds.includes("*") || provider.allowedClientIds.includes(clientId);

function writeProvider(ctx: ApiContext): EmulatorResponse {
  const name = ctx.params[0] as string;
  const body = jsonBody(ctx.req);
  const { identity } = ctx.state;
  const existing = identity.providers.get(name);
  const issuer = stringField(body.issuer, "issuer") ?? existing?.issuer ?? "";
  const warnings: string[] = [];
  if (issuer !== "") {
    let valid = false;
    try {
      const url = new URL(issuer);
      valid =
        (url.protocol === "http:" || url.protocol === "https:") &&
        url.origin === issuer.replace(/\/$/, "") &&
        !issuer.endsWith("/");
    } catch {
      valid = false;
    }
    if (!valid) {
      return vaultError(
        400,
        "invalid issuer, which must include only a scheme, host, and optional port (e.g. https://example.com:8200)",
      );
    }
    warnings.push(
      'If "issuer" is set explicitly, all tokens must be validated against that address, including those issued by secondary clusters. Setting issuer to "" will restore the default behavior of using the cluster\'s api_addr as the issuer.',
    );
  }
  const scopesSupported =
    stringList(body.scopes_supported, "scopes_supported") ?? existing?.scopesSupported ?? [];
  for (const scope of scopesSupported) {
    if (!identity.scopes.has(scope)) return vaultError(400, `scope "${scope}" does not exist`);
  }
  identity.providers.set(name, {
    name,
    issuer,
    allowedClientIds:
      stringList(body.allowed_client_ids, "allowed_client_ids") ?? existing?.allowedClientIds ?? [],
    scopesSupported,
    namespace: existing?.namespace ?? ctx.namespace,
  });
  return warnings.length > 0 ? ok(envelope(null, { warnings })) : NO_CONTENT;
}

function providerData(state: VaultState, provider: OidcProvider): Record<string, unknown> {
  return {
    issuer: issuerOf(state, provider),
    allowed_client_ids: provider.allowedClientIds,
    scopes_supported: provider.scopesSupported,
  };
}

function readProvider(ctx: ApiContext): EmulatorResponse {
  const provider = ctx.state.identity.providers.get(ctx.params[0] as string);
  return provider ? ok(envelope(providerData(ctx.state, provider))) : notFound();
}

function listProviders(ctx: ApiContext): EmulatorResponse {
  const filter = ctx.req.url.searchParams.get("allowed_client_id");
  const providers = [...ctx.state.identity.providers.values()]
    .filter((p) => !filter || allowsClient(p, filter))
    .sort((a, b) => a.name.localeCompare(b.name));
  if (providers.length === 0) return notFound();
  const keyInfo = Object.fromEntries(providers.map((p) => [p.name, providerData(ctx.state, p)]));
  return ok(envelope({ keys: providers.map((p) => p.name), key_info: keyInfo }));
}

function deleteProvider(ctx: ApiContext): EmulatorResponse {
  const name = ctx.params[0] as string;
  if (name === "default") return vaultError(400, 'deletion of OIDC provider "default" not allowed');
  ctx.state.identity.providers.delete(name);
  return NO_CONTENT;
}

/** A LIST answer: the names sorted, or 404 when there are none (as Vault answers). */
function listOf(names: Iterable<string>): EmulatorResponse {
  const keys = [...names].sort();
  return keys.length === 0 ? notFound() : ok(envelope({ keys }));
}

function entityData(entity: Entity): Record<string, unknown> {
  return {
    id: entity.id,
    name: entity.name,
    aliases: entity.aliases.map((alias) => ({
      name: alias.name,
      mount_path: `auth/${alias.mount}/`,
      canonical_id: entity.id,
    })),
    disabled: entity.disabled,
    policies: [],
    metadata: null,
    direct_group_ids: [],
    group_ids: [],
    namespace_id: "root",
  };
}

function readEntity(ctx: ApiContext, by: "id" | "name"): EmulatorResponse {
  const key = ctx.params[0] as string;
  const entities = [...ctx.state.identity.entities.values()];
  const entity = entities.find((e) => (by === "id" ? e.id === key : e.name === key));
  return entity ? ok(envelope(entityData(entity))) : notFound();
}

/** identity/oidc/* objects (keys, assignments, scopes, clients, providers) and identity entities. */
export const OIDC_OBJECT_ENDPOINTS: readonly Endpoint[] = [
  {
    pattern: /^identity\/entity\/id\/([^/]+)$/,
    verbs: { read: { operation: "identity.entity.read", run: (ctx) => readEntity(ctx, "id") } },
  },
  {
    pattern: /^identity\/entity\/name\/([^/]+)$/,
    verbs: { read: { operation: "identity.entity.read", run: (ctx) => readEntity(ctx, "name") } },
  },
  {
    pattern: /^identity\/entity\/(id|name)$/,
    verbs: {
      list: {
        operation: "identity.entity.list",
        run: (ctx) =>
          listOf(
            [...ctx.state.identity.entities.values()].map((e) =>
              ctx.params[0] === "id" ? e.id : e.name,
            ),
          ),
      },
    },
  },
  {
    pattern: new RegExp(`^identity\\/oidc\\/key\\/${NAME}$`),
    verbs: {
      read: { operation: "identity.oidc.key.read", run: readKey },
      write: {
        operation: "identity.oidc.key.write",
        run: writeKey,
        exists: (ctx) => ctx.state.identity.keys.has(ctx.params[0] as string),
      },
      delete: { operation: "identity.oidc.key.delete", run: deleteKey },
    },
  },
  {
    pattern: /^identity\/oidc\/key$/,
    verbs: {
      list: {
        operation: "identity.oidc.key.list",
        run: (ctx) => listOf(ctx.state.identity.keys.keys()),
      },
    },
  },
  {
    pattern: new RegExp(`^identity\\/oidc\\/assignment\\/${NAME}$`),
    verbs: {
      read: { operation: "identity.oidc.assignment.read", run: readAssignment },
      write: {
        operation: "identity.oidc.assignment.write",
        run: writeAssignment,
        exists: (ctx) => ctx.state.identity.assignments.has(ctx.params[0] as string),
      },
      delete: { operation: "identity.oidc.assignment.delete", run: deleteAssignment },
    },
  },
  {
    pattern: /^identity\/oidc\/assignment$/,
    verbs: {
      list: {
        operation: "identity.oidc.assignment.list",
        run: (ctx) => listOf(ctx.state.identity.assignments.keys()),
      },
    },
  },
  {
    pattern: new RegExp(`^identity\\/oidc\\/scope\\/${NAME}$`),
    verbs: {
      read: { operation: "identity.oidc.scope.read", run: readScope },
      write: {
        operation: "identity.oidc.scope.write",
        run: writeScope,
        exists: (ctx) => ctx.state.identity.scopes.has(ctx.params[0] as string),
      },
      delete: { operation: "identity.oidc.scope.delete", run: deleteScope },
    },
  },
  {
    pattern: /^identity\/oidc\/scope$/,
    verbs: {
      list: {
        operation: "identity.oidc.scope.list",
        run: (ctx) => listOf(ctx.state.identity.scopes.keys()),
      },
    },
  },
  {
    pattern: new RegExp(`^identity\\/oidc\\/client\\/${NAME}$`),
    verbs: {
      read: { operation: "identity.oidc.client.read", run: readClient },
      write: {
        operation: "identity.oidc.client.write",
        run: writeClient,
        exists: (ctx) => ctx.state.identity.clients.has(ctx.params[0] as string),
      },
      delete: {
        operation: "identity.oidc.client.delete",
        run: (ctx) => {
          ctx.state.identity.clients.delete(ctx.params[0] as string);
          return NO_CONTENT;
        },
      },
    },
  },
  {
    pattern: /^identity\/oidc\/client$/,
    verbs: { list: { operation: "identity.oidc.client.list", run: listClients } },
  },
  {
    pattern: new RegExp(`^identity\\/oidc\\/provider\\/${NAME}$`),
    verbs: {
      read: { operation: "identity.oidc.provider.read", run: readProvider },
      write: {
        operation: "identity.oidc.provider.write",
        run: writeProvider,
        exists: (ctx) => ctx.state.identity.providers.has(ctx.params[0] as string),
      },
      delete: { operation: "identity.oidc.provider.delete", run: deleteProvider },
    },
  },
  {
    pattern: /^identity\/oidc\/provider$/,
    verbs: { list: { operation: "identity.oidc.provider.list", run: listProviders } },
  },
];
