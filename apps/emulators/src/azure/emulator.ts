import { rm } from "node:fs/promises";
import { dirname } from "node:path";
import {
  type EmulatorRequest,
  type EmulatorResponse,
  type RunningEmulator,
  startEmulatorServer,
} from "../shared/index.js";
import { generateTestCertificates, type TestCertificates, writeCaFile } from "./certificates.js";
import { azureFaultResponse, kvError } from "./errors.js";
import { AzureIdentity, type AzureIdentityOptions, type ServicePrincipal } from "./identity.js";
import {
  handleAadToken,
  handleInstanceDiscovery,
  handleMsiToken,
  handleOpenIdConfiguration,
} from "./identity-api.js";
import { operationName, routeOf } from "./routes.js";
import { type AzureSecretSeed, SecretStore, type SeedSecretOptions } from "./store.js";
import { handleAuthorize, handleDeviceCode, handleDeviceLogin } from "./user-api.js";
import type { DirectoryUser } from "./user-sign-in.js";
import { AccessRules, handleSecrets, type VaultContext } from "./vault-api.js";

export interface AzureEmulatorOptions extends AzureIdentityOptions {
  /** Listen on this port instead of a random free one. */
  port?: number;
  /** Name used in error messages. Default "emulated-vault". */
  vaultName?: string;
  /** Secrets present at start and after reset(). */
  secrets?: AzureSecretSeed[];
  /** Reuse a CA and server certificate (e.g. to share one CA between vaults). */
  certificates?: TestCertificates;
  /** Share one token authority between vaults, so a token from one is accepted by all. */
  identity?: AzureIdentity;
}

export interface RunningAzureEmulator extends RunningEmulator {
  /** The vault URL to give SecretClient (the https origin, served at `/`). */
  vaultUrl: string;
  /** PEM of the CA that signed the server certificate: `tlsOptions: { ca: caPem }`. */
  caPem: string;
  /** Path of a file holding caPem, for NODE_EXTRA_CA_CERTS in child processes. */
  caFile: string;
  certificates: TestCertificates;
  tenantId: string;
  /** `authorityHost` for ClientSecretCredential (same origin as the vault). */
  authorityHost: string;
  /** IDENTITY_ENDPOINT for ManagedIdentityCredential (App Service protocol). */
  msiEndpoint: string;
  /** IDENTITY_HEADER value the managed-identity endpoint expects. */
  identityHeader: string;
  identity: AzureIdentity;
  /** `{ IDENTITY_ENDPOINT, IDENTITY_HEADER }`, to put in process.env before creating the credential. */
  managedIdentityEnv(): { IDENTITY_ENDPOINT: string; IDENTITY_HEADER: string };
  /** Add a new version; returns its version id. */
  seedSecret(name: string, value: string, options?: SeedSecretOptions): string;
  /** Disable the latest (or the given) version; get answers 403 SecretDisabled. */
  disableSecret(name: string, version?: string): void;
  enableSecret(name: string, version?: string): void;
  /** Deny access to one secret, or without a name to the whole vault (403 ForbiddenByRbac). */
  denyAccess(name?: string): void;
  /** Undo denyAccess for one name, or without a name lift every denial. */
  allowAccess(name?: string): void;
  addServicePrincipal(principal: ServicePrincipal): void;
  /** Lifetime of tokens issued from now on. */
  setTokenTtl(seconds: number): void;
  /** The user approves (or declines) the device-code sign-in showing `userCode`. */
  approveDeviceCode(userCode: string, username?: string): void;
  declineDeviceCode(userCode: string): void;
}

interface SeedBody extends SeedSecretOptions {
  name: string;
  value: string;
  version?: string;
}

/** Start one emulated vault (with its own token endpoints) over https on 127.0.0.1. */
export async function startAzureEmulator(
  options: AzureEmulatorOptions = {},
): Promise<RunningAzureEmulator> {
  const certificates = options.certificates ?? (await generateTestCertificates());
  const identity = options.identity ?? new AzureIdentity(options);
  const store = new SecretStore();
  const access = new AccessRules();
  const ctx: VaultContext = {
    store,
    identity,
    access,
    vaultName: options.vaultName ?? "emulated-vault",
  };
  const seed = () => {
    store.clear();
    for (const s of options.secrets ?? []) store.set(s.name, s.value, s);
  };
  seed();

  const handle = (req: EmulatorRequest): EmulatorResponse => {
    const route = routeOf(req);
    switch (route.kind) {
      case "msi":
        return handleMsiToken(identity, req);
      case "openid":
        return handleOpenIdConfiguration(identity, route.tenant, req);
      case "instance-discovery":
        return handleInstanceDiscovery(req);
      case "aad-token":
        return handleAadToken(identity, route.tenant, req);
      case "aad-authorize":
        return handleAuthorize(identity, route.tenant, req);
      case "aad-devicecode":
        return handleDeviceCode(identity, route.tenant, req);
      case "devicelogin":
        return handleDeviceLogin();
      case "unknown":
        return kvError(
          400,
          "BadParameter",
          `Unsupported request: ${req.method} ${req.url.pathname}`,
        );
      default:
        return handleSecrets(ctx, route, req);
    }
  };

  const seedSecret = (name: string, value: string, opts: SeedSecretOptions = {}) =>
    store.set(store.nameOf(name) ?? name, value, opts).version;
  const setEnabled = (name: string, enabled: boolean, version?: string) => {
    if (!store.setEnabled(name, enabled, version)) throw new Error(`no secret ${name} to update`);
  };
  const denyAccess = (name?: string) => {
    if (name === undefined) access.denyAll = true;
    else access.deniedNames.add(name.toLowerCase());
  };
  const allowAccess = (name?: string) => {
    if (name === undefined) access.clear();
    else access.deniedNames.delete(name.toLowerCase());
  };

  const running = await startEmulatorServer(
    {
      name: "azure-keyvault",
      tls: { key: certificates.key, cert: certificates.cert },
      operationOf: (req) => operationName(routeOf(req), req),
      handle,
      faultResponse: (kind) => azureFaultResponse(kind, identity.tenantId),
      expireCredentials: () => identity.revokeAll(),
      reset: () => {
        seed();
        access.clear();
        identity.reset();
      },
      control: {
        "seed-secret": (body) => {
          const b = body as SeedBody;
          return { version: seedSecret(b.name, b.value, b) };
        },
        "disable-secret": (body) => {
          const b = body as { name: string; version?: string };
          setEnabled(b.name, false, b.version);
        },
        "enable-secret": (body) => {
          const b = body as { name: string; version?: string };
          setEnabled(b.name, true, b.version);
        },
        "deny-access": (body) => denyAccess((body as { name?: string }).name),
        "allow-access": (body) => allowAccess((body as { name?: string }).name),
        "add-service-principal": (body) => identity.addServicePrincipal(body as ServicePrincipal),
        "token-ttl": (body) => {
          identity.tokenTtlSeconds = (body as { seconds: number }).seconds;
        },
        // The person at the other device: enters the code shown and signs in (or declines).
        "approve-device-code": (body) => {
          const b = body as { userCode: string; username?: string };
          identity.users.answerDevice(b.userCode, true, b.username);
          return { approved: true };
        },
        "decline-device-code": (body) => {
          identity.users.answerDevice((body as { userCode: string }).userCode, false);
          return { declined: true };
        },
        "device-code-status": (body) =>
          identity.users.deviceStatus((body as { userCode: string }).userCode),
        "add-user": (body) => identity.users.addUser(body as DirectoryUser),
        "add-public-client": (body) =>
          identity.users.addPublicClient((body as { clientId: string }).clientId),
      },
    },
    options.port === undefined ? {} : { port: options.port },
  );

  const caFile = await writeCaFile(certificates.caPem);
  const msiEndpoint = `${running.url}/msi/token`;
  return {
    ...running,
    vaultUrl: running.url,
    caPem: certificates.caPem,
    caFile,
    certificates,
    tenantId: identity.tenantId,
    authorityHost: running.url,
    msiEndpoint,
    identityHeader: identity.identityHeader,
    identity,
    managedIdentityEnv: () => ({
      IDENTITY_ENDPOINT: msiEndpoint,
      IDENTITY_HEADER: identity.identityHeader,
    }),
    seedSecret,
    disableSecret: (name, version) => setEnabled(name, false, version),
    enableSecret: (name, version) => setEnabled(name, true, version),
    denyAccess,
    allowAccess,
    addServicePrincipal: (p) => identity.addServicePrincipal(p),
    setTokenTtl: (seconds) => {
      identity.tokenTtlSeconds = seconds;
    },
    approveDeviceCode: (userCode, username) =>
      identity.users.answerDevice(userCode, true, username),
    declineDeviceCode: (userCode) => identity.users.answerDevice(userCode, false),
    stop: async () => {
      await running.stop();
      await rm(dirname(caFile), { recursive: true, force: true });
    },
  };
}

/**
 * Start several vaults that share one CA and one token authority (as real vaults share
 * Entra ID): a token fetched from any of them works on all.
 */
export async function startAzureVaults(
  names: string[],
  options: Omit<AzureEmulatorOptions, "vaultName" | "port"> = {},
): Promise<RunningAzureEmulator[]> {
  const certificates = options.certificates ?? (await generateTestCertificates());
  const identity = options.identity ?? new AzureIdentity(options);
  const vaults: RunningAzureEmulator[] = [];
  try {
    for (const vaultName of names) {
      vaults.push(await startAzureEmulator({ ...options, vaultName, certificates, identity }));
    }
  } catch (error) {
    await Promise.all(vaults.map((v) => v.stop()));
    throw error;
  }
  return vaults;
}
