import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
  type TokenCredential,
  WorkloadIdentityCredential,
} from "@azure/identity";
import { SecretClient } from "@azure/keyvault-secrets";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  generateClientCertificate,
  type RunningAzureEmulator,
  startAzureEmulator,
  startAzureVaults,
} from "../src/index.js";
import { unsignedJwt } from "./jwt.js";

const CLIENT_ID = "11111111-2222-3333-4444-555555555555";
const CLIENT_SECRET = "app-secret-value";

let emu: RunningAzureEmulator;

/**
 * @azure/identity (through MSAL) reads IDENTITY_ENDPOINT / IDENTITY_HEADER both when the
 * credential is built and on every token request, so they stay set for the whole file. Without
 * them MSAL would fall back to the IMDS address, which tests must never contact.
 */
function managedIdentity(clientId?: string): ManagedIdentityCredential {
  return new ManagedIdentityCredential({
    ...(clientId ? { clientId } : {}),
    tlsOptions: { ca: emu.caPem },
  });
}

function clientSecret(
  secret = CLIENT_SECRET,
  e: RunningAzureEmulator = emu,
): ClientSecretCredential {
  return new ClientSecretCredential(e.tenantId, CLIENT_ID, secret, {
    authorityHost: e.authorityHost,
    disableInstanceDiscovery: true,
    tlsOptions: { ca: e.caPem },
  });
}

function secretClient(
  credential: TokenCredential = managedIdentity(),
  e: RunningAzureEmulator = emu,
): SecretClient {
  return new SecretClient(e.vaultUrl, credential, {
    disableChallengeResourceVerification: true,
    tlsOptions: { ca: e.caPem },
    retryOptions: { maxRetries: 0 },
  });
}

async function rejection(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Record<string, unknown>;
  }
  throw new Error("expected the call to fail");
}

beforeAll(async () => {
  emu = await startAzureEmulator({
    vaultName: "kv-test",
    servicePrincipals: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }],
    secrets: [{ name: "db-password", value: "first", contentType: "text/plain" }],
  });
  Object.assign(process.env, emu.managedIdentityEnv());
});
afterAll(async () => {
  delete process.env.IDENTITY_ENDPOINT;
  delete process.env.IDENTITY_HEADER;
  await emu?.stop();
});
afterEach(() => {
  emu.reset();
});

describe("Azure Key Vault emulator with the real SDK", () => {
  it("answers the challenge flow and serves the latest version and a given version", async () => {
    const v2 = emu.seedSecret("db-password", "second", { tags: { env: "test" } });
    const client = secretClient();
    const latest = await client.getSecret("db-password");
    expect(latest.value).toBe("second");
    expect(latest.properties.version).toBe(v2);
    expect(latest.properties.tags).toEqual({ env: "test" });
    expect(latest.properties.vaultUrl).toBe(emu.vaultUrl);
    expect(latest.properties.createdOn).toBeInstanceOf(Date);
    expect(Math.abs((latest.properties.createdOn as Date).getTime() - Date.now())).toBeLessThan(
      60_000,
    );

    const versions = [];
    for await (const p of client.listPropertiesOfSecretVersions("db-password")) versions.push(p);
    expect(versions).toHaveLength(2);
    const first = versions.find((p) => p.version !== v2);
    const old = await client.getSecret("db-password", { version: first?.version as string });
    expect(old.value).toBe("first");
    expect(old.properties.contentType).toBe("text/plain");

    expect(emu.requests.count("challenge")).toBe(1);
    expect(emu.requests.count("token.msi")).toBe(1);
    expect(emu.requests.count("secrets.get")).toBe(2);
    expect(emu.requests.count("secrets.versions")).toBe(1);
  });

  it("pages secret lists through nextLink, 25 at most per page", async () => {
    for (let i = 0; i < 30; i++) emu.seedSecret(`paged-${String(i).padStart(2, "0")}`, `v${i}`);
    const client = secretClient();
    const names: string[] = [];
    for await (const p of client.listPropertiesOfSecrets()) names.push(p.name);
    expect(names).toHaveLength(31);
    expect(names).toContain("paged-29");
    expect(emu.requests.count("secrets.list")).toBe(2);

    emu.requests.reset();
    const sizes: number[] = [];
    for await (const page of client.listPropertiesOfSecrets().byPage({ maxPageSize: 10 })) {
      sizes.push(page.length);
    }
    expect(sizes).toEqual([10, 10, 10, 1]);
    expect(emu.requests.count("secrets.list")).toBe(4);
  });

  it("stores a secret set through the SDK despite the bodiless first request", async () => {
    const client = secretClient();
    const set = await client.setSecret("new-one", "fresh-value", { contentType: "text/plain" });
    expect(set.value).toBe("fresh-value");
    expect((await client.getSecret("new-one")).value).toBe("fresh-value");
    expect(emu.requests.count("challenge")).toBe(1);
    expect(emu.requests.count("secrets.set")).toBe(1);
  });

  it("answers 404 SecretNotFound and 403 SecretDisabled", async () => {
    const client = secretClient();
    const missing = await rejection(client.getSecret("nope"));
    expect(missing.statusCode).toBe(404);
    expect(missing.code).toBe("SecretNotFound");
    expect(String(missing.message)).toContain("nope");

    emu.disableSecret("db-password");
    const disabled = await rejection(client.getSecret("db-password"));
    expect(disabled.statusCode).toBe(403);
    expect(disabled.code).toBe("Forbidden");
    expect(disabled.message).toBe("Operation get is not allowed on a disabled secret.");
    expect(disabled.details).toMatchObject({ error: { innerError: { code: "SecretDisabled" } } });
  });

  it("denies access per secret and for the whole vault", async () => {
    emu.seedSecret("other", "x");
    const client = secretClient();
    emu.denyAccess("db-password");
    const denied = await rejection(client.getSecret("db-password"));
    expect(denied.statusCode).toBe(403);
    expect(denied.details).toMatchObject({ error: { innerError: { code: "ForbiddenByRbac" } } });
    expect((await client.getSecret("other")).value).toBe("x");

    emu.denyAccess();
    const listDenied = await rejection(client.listPropertiesOfSecrets().next());
    expect(listDenied.statusCode).toBe(403);
    emu.allowAccess();
    expect((await client.getSecret("db-password")).value).toBe("first");
  });

  it("turns named faults into the service's errors", async () => {
    const client = secretClient();
    await client.getSecret("db-password");

    emu.inject({ operation: "secrets.get", error: "throttled", times: 1 });
    const throttled = await rejection(client.getSecret("db-password"));
    expect(throttled.statusCode).toBe(429);
    expect(throttled.code).toBe("Throttled");
    const response = throttled.response as { headers: { get(name: string): string | undefined } };
    expect(response.headers.get("retry-after")).toBe("1");

    emu.inject({ operation: "secrets.get", error: "internal", times: 1 });
    const internal = await rejection(client.getSecret("db-password"));
    expect(internal.statusCode).toBe(500);

    emu.inject({ operation: "secrets.get", error: "bad-parameter", times: 1 });
    expect((await rejection(client.getSecret("db-password"))).code).toBe("BadParameter");

    emu.inject({ operation: "secrets.get", error: "forbidden", times: 1 });
    expect((await rejection(client.getSecret("db-password"))).statusCode).toBe(403);

    emu.inject({ operation: "secrets.get", error: "not-found", times: 1 });
    expect((await rejection(client.getSecret("db-password"))).code).toBe("SecretNotFound");

    // The SDK answers one 401 challenge by re-sending with its cached token; a second one surfaces.
    emu.inject({ operation: "secrets.get", error: "unauthorized", times: 2 });
    const unauthorized = await rejection(client.getSecret("db-password"));
    expect(unauthorized.statusCode).toBe(401);
    expect(unauthorized.code).toBe("Unauthorized");
  });

  it.each([
    ["access-policy-denied", 403, "Forbidden", "AccessDenied"],
    ["forbidden-by-policy", 403, "Forbidden", "ForbiddenByPolicy"],
    ["conflict", 409, "Conflict", "ObjectIsDeletedButRecoverable"],
  ])("the %s fault is RestError %i %s (%s)", async (fault, status, code, inner) => {
    const client = secretClient();
    emu.inject({ error: fault, times: 1 });
    const failed = await rejection(
      fault === "conflict" ? client.setSecret("db-password", "x") : client.getSecret("db-password"),
    );
    expect(failed.name).toBe("RestError");
    expect(failed.statusCode).toBe(status);
    expect(failed.code).toBe(code);
    expect(failed.details).toMatchObject({ error: { innerError: { code: inner } } });
  });

  it("latency injection holds the answer past the SDK's request timeout, once", async () => {
    const client = secretClient();
    await client.getSecret("db-password");
    emu.inject({ operation: "secrets.get", latencyMs: 5_000, times: 1 });
    const slow = await rejection(
      client.getSecret("db-password", { requestOptions: { timeout: 200 } }),
    );
    expect(slow.name).toBe("AbortError");
    const again = await client.getSecret("db-password", { requestOptions: { timeout: 2_000 } });
    expect(again.value).toBe("first");
  });

  // MSAL keeps managed-identity tokens in a process-wide cache keyed by client id, so each of
  // these tests uses its own user-assigned client id to start without a cached token.
  it("fetches a new token when the old one expires mid-session", async () => {
    emu.setTokenTtl(2);
    const client = secretClient(managedIdentity("mi-expiry"));
    await client.getSecret("db-password");
    expect(emu.requests.count("token.msi")).toBe(1);
    await new Promise((r) => setTimeout(r, 2_200));
    expect((await client.getSecret("db-password")).value).toBe("first");
    expect(emu.requests.count("token.msi")).toBe(2);
    expect(emu.requests.count("challenge")).toBe(1);
  });

  it("revokes tokens on expireCredentials(): a long-lived cached MI token stays rejected", async () => {
    const client = secretClient(managedIdentity("mi-revoked"));
    await client.getSecret("db-password");
    emu.expireCredentials();
    // The claims challenge makes the SDK ask again, but MSAL's managed-identity flow ignores
    // claims and hands back its cached (revoked) token, so the 401 reaches the caller.
    const failed = await rejection(client.getSecret("db-password"));
    expect(failed.statusCode).toBe(401);
    expect(failed.code).toBe("Unauthorized");
    expect(emu.requests.count("token.msi")).toBe(1);
  });

  it("recovers from revocation when the MI token is short-lived", async () => {
    // MSAL does not serve cached tokens within 5 minutes of expiry, so it asks again.
    emu.setTokenTtl(60);
    const client = secretClient(managedIdentity("mi-short"));
    await client.getSecret("db-password");
    const before = emu.requests.count("token.msi");
    emu.expireCredentials();
    expect((await client.getSecret("db-password")).value).toBe("first");
    expect(emu.requests.count("token.msi")).toBeGreaterThan(before);
  });
});

describe("ClientSecretCredential against the emulated authority", () => {
  it("gets a token with the client-credentials grant and recovers after revocation", async () => {
    const client = secretClient(clientSecret());
    expect((await client.getSecret("db-password")).value).toBe("first");
    expect(emu.requests.count("token.discovery")).toBe(1);
    expect(emu.requests.count("token.aad")).toBe(1);

    emu.expireCredentials();
    expect((await client.getSecret("db-password")).value).toBe("first");
    expect(emu.requests.count("token.aad")).toBe(2);
  });

  it("refuses a wrong client secret with AADSTS7000215", async () => {
    const client = secretClient(clientSecret("wrong"));
    const failed = await rejection(client.getSecret("db-password"));
    expect(failed.name).toBe("AuthenticationRequiredError");
    expect(String(failed.message)).toContain("AADSTS7000215");
    expect(emu.requests.count("secrets.get")).toBe(0);
  });

  it("accepts principals added at run time", async () => {
    emu.addServicePrincipal({ clientId: "late-app", clientSecret: "late-secret" });
    const credential = new ClientSecretCredential(emu.tenantId, "late-app", "late-secret", {
      authorityHost: emu.authorityHost,
      disableInstanceDiscovery: true,
      tlsOptions: { ca: emu.caPem },
    });
    const token = await credential.getToken("https://vault.azure.net/.default");
    expect(token.token).toMatch(/^emu\./);
    expect(emu.identity.check(`Bearer ${token.token}`)).toBe("valid");
  });
});

describe("certificate and federated (workload identity) sign-ins against the emulated authority", () => {
  const authority = () => ({
    authorityHost: emu.authorityHost,
    disableInstanceDiscovery: true,
    tlsOptions: { ca: emu.caPem },
  });

  it("ClientCertificateCredential signs its assertion with the registered certificate's key", async () => {
    const cert = await generateClientCertificate();
    emu.identity.addCertificatePrincipal("cert-app", cert.certificatePem);
    const good = new ClientCertificateCredential(
      emu.tenantId,
      "cert-app",
      { certificate: cert.pem },
      authority(),
    );
    expect((await secretClient(good).getSecret("db-password")).value).toBe("first");
    expect(emu.requests.count("token.aad")).toBe(1);

    const other = await generateClientCertificate("someone else");
    const wrong = new ClientCertificateCredential(
      emu.tenantId,
      "cert-app",
      { certificate: other.pem },
      authority(),
    );
    const failed = await rejection(secretClient(wrong).getSecret("db-password"));
    expect(String(failed.message)).toContain("AADSTS700027");
  });

  it("WorkloadIdentityCredential trades a federated token file for an access token", async () => {
    const dir = await mkdtemp(join(tmpdir(), "vaultlink-emu-wi-"));
    try {
      const tokenFilePath = join(dir, "token");
      const issuer = "https://oidc.example.test/cluster";
      await writeFile(
        tokenFilePath,
        unsignedJwt({ iss: issuer, sub: "system:serviceaccount:app:reader", exp: 4102444800 }),
      );
      emu.identity.addFederatedCredential({
        clientId: "wi-app",
        issuer,
        subject: "system:serviceaccount:app:reader",
      });
      const workload = new WorkloadIdentityCredential({
        tenantId: emu.tenantId,
        clientId: "wi-app",
        tokenFilePath,
        ...authority(),
      });
      expect((await secretClient(workload).getSecret("db-password")).value).toBe("first");

      const stranger = new WorkloadIdentityCredential({
        tenantId: emu.tenantId,
        clientId: "other-app",
        tokenFilePath,
        ...authority(),
      });
      const failed = await rejection(secretClient(stranger).getSecret("db-password"));
      expect(String(failed.message)).toContain("AADSTS70021");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("certificates and several vaults", () => {
  it("writes the CA to a file and is refused by a client that does not trust it", async () => {
    expect(await readFile(emu.caFile, "utf8")).toBe(emu.caPem);
    expect(emu.caPem).toContain("BEGIN CERTIFICATE");
    const untrusting = new SecretClient(emu.vaultUrl, managedIdentity(), {
      disableChallengeResourceVerification: true,
      retryOptions: { maxRetries: 0 },
    });
    const failed = await rejection(untrusting.getSecret("db-password"));
    expect(String(failed.message)).toMatch(/certificate/);
  });

  it("is trusted by a child process started with NODE_EXTRA_CA_CERTS=caFile", async () => {
    const script =
      "fetch(process.argv[1]).then((r) => r.json()).then((j) => console.log(JSON.stringify(j)))";
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["-e", script, `${emu.url}/__emulator/requests`],
      { env: { ...process.env, NODE_EXTRA_CA_CERTS: emu.caFile } },
    );
    expect(JSON.parse(stdout)).toHaveProperty("byOperation");
  });

  it("serves several vaults with one CA and one token authority", async () => {
    const vaults = await startAzureVaults(["kv-a", "kv-b"], {
      secrets: [{ name: "shared", value: "same-name" }],
    });
    try {
      const [a, b] = vaults as [RunningAzureEmulator, RunningAzureEmulator];
      expect(a.vaultUrl).not.toBe(b.vaultUrl);
      expect(a.caPem).toBe(b.caPem);
      b.seedSecret("only-b", "b-value");
      a.addServicePrincipal({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
      const credential = clientSecret(CLIENT_SECRET, a);
      const ca = secretClient(credential, a);
      const cb = secretClient(credential, b);
      expect((await ca.getSecret("shared")).properties.vaultUrl).toBe(a.vaultUrl);
      expect((await cb.getSecret("only-b")).value).toBe("b-value");
      expect((await rejection(ca.getSecret("only-b"))).statusCode).toBe(404);
      expect(a.requests.count("token.aad")).toBe(1);
      expect(b.requests.count("token.aad")).toBe(0);
    } finally {
      await Promise.all(vaults.map((v) => v.stop()));
    }
  });
});
