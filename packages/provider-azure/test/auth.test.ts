import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateClientCertificate, type RunningAzureEmulator } from "@vaultlink/emulators";
import { vaultlinkRejection } from "@vaultlink/testkit";
import { beforeAll, describe, expect, it } from "vitest";
import { identityOfToken } from "../src/auth/sign-in.js";
import azure from "../src/index.js";
import {
  CLIENT_SECRET,
  instanceFor,
  request,
  servicePrincipal,
  useVault,
} from "./support/azure.js";

let emu: RunningAzureEmulator;
let ref: string;

const vault = useVault("auth-db-password");
beforeAll(() => {
  emu = vault.emu();
  ref = vault.ref();
});

describe("sign-in methods", () => {
  it("offers every @azure/identity method the integration needs, secrets marked secret", () => {
    expect(azure.authMethods.map((m) => m.id)).toEqual([
      "interactive-browser",
      "device-code",
      "client-secret",
      "client-certificate",
      "managed-identity",
      "azure-cli",
      "workload-identity",
    ]);
    const secretOptions = azure.authMethods.flatMap((m) =>
      m.options.filter((o) => o.secret).map((o) => o.name),
    );
    expect(secretOptions.sort()).toEqual(["certificate", "certificatePassword", "clientSecret"]);
    expect(azure.authMethods.filter((m) => m.interactive).map((m) => m.id)).toEqual([
      "interactive-browser",
      "device-code",
    ]);
  });

  it("refuses a wrong client secret with AUTH_FAILED, naming the AADSTS error only", async () => {
    const { instance } = await instanceFor(emu);
    const error = await vaultlinkRejection(
      instance.authenticate(servicePrincipal(emu, "not-the-secret")),
    );
    expect(error.code).toBe("AUTH_FAILED");
    expect(error.provider).toBe("azure");
    expect(error.message).toContain("AADSTS7000215");
    expect(error.message).not.toContain("not-the-secret");
    expect(error.message).not.toContain("Trace ID");
  });

  it("refuses an unknown tenant with AUTH_FAILED", async () => {
    const { instance } = await instanceFor(emu);
    const input = servicePrincipal(emu);
    const error = await vaultlinkRejection(
      instance.authenticate({
        ...input,
        settings: { ...input.settings, tenantId: "00000000-0000-0000-0000-000000000000" },
      }),
    );
    expect(error.code).toBe("AUTH_FAILED");
  });

  it("keeps the stored client secret when reauthentication leaves it out", async () => {
    const { instance } = await instanceFor(emu);
    const first = await instance.authenticate(servicePrincipal(emu));
    const input = servicePrincipal(emu);
    const again = await instance.authenticate({ ...input, secrets: {}, previous: first });
    expect(again.credentials).toEqual({ clientSecret: CLIENT_SECRET });
  });

  it("signs in with a managed identity and stores nothing secret", async () => {
    const env = emu.managedIdentityEnv();
    Object.assign(process.env, env);
    try {
      // MSAL caches managed-identity tokens per process and client id: use a fresh id.
      const settings = { clientId: "mi-provider-test" };
      const { instance, context } = await instanceFor(emu, {
        method: "managed-identity",
        settings,
      });
      const session = await instance.authenticate({
        method: "managed-identity",
        settings,
        secrets: {},
      });
      expect(session.credentials).toEqual({});
      expect(session.expiresAt).toBeUndefined();
      expect(session.identity).toBe("managed identity mi-provider-test");
      await context.saveSession(session);
      const [result] = await instance.fetch([request("a", ref)]);
      expect(result).toMatchObject({ ok: true, value: "auth-db-password" });
      expect(emu.requests.count("token.msi")).toBe(1);
    } finally {
      for (const name of Object.keys(env)) delete process.env[name];
    }
  });

  it("signs in with a certificate given as PEM text (stored) or as a file (not stored)", async () => {
    const cert = await generateClientCertificate();
    emu.identity.addCertificatePrincipal("cert-app", cert.certificatePem);
    const dir = await mkdtemp(join(tmpdir(), "vaultlink-azure-cert-"));
    try {
      const certificatePath = join(dir, "app.pem");
      await writeFile(certificatePath, cert.pem, { mode: 0o600 });
      const ways = [
        { settings: {}, secrets: { certificate: cert.pem }, stored: { certificate: cert.pem } },
        { settings: { certificatePath }, secrets: {}, stored: {} },
      ];
      for (const way of ways) {
        const settings = { tenantId: emu.tenantId, clientId: "cert-app", ...way.settings };
        const { instance, context } = await instanceFor(emu, {
          method: "client-certificate",
          settings,
        });
        const session = await instance.authenticate({
          method: "client-certificate",
          settings,
          secrets: way.secrets,
        });
        expect(session.credentials).toEqual(way.stored);
        expect(session.expiresAt).toBeUndefined();
        await context.saveSession(session);
        const [result] = await instance.fetch([request("a", ref)]);
        expect(result).toMatchObject({ ok: true, value: "auth-db-password" });
      }
      expect(emu.requests.count("token.aad")).toBe(2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("refuses a certificate the app registration does not know with AUTH_FAILED", async () => {
    const registered = await generateClientCertificate();
    const other = await generateClientCertificate("not registered");
    emu.identity.addCertificatePrincipal("cert-app", registered.certificatePem);
    const settings = { tenantId: emu.tenantId, clientId: "cert-app" };
    const { instance } = await instanceFor(emu, { method: "client-certificate", settings });
    const error = await vaultlinkRejection(
      instance.authenticate({
        method: "client-certificate",
        settings,
        secrets: { certificate: other.pem },
      }),
    );
    expect(error.code).toBe("AUTH_FAILED");
    expect(error.message).toContain("AADSTS700027");
    expect(error.message).not.toContain("PRIVATE KEY");
  });

  it("signs in with workload identity from a federated token file", async () => {
    const issuer = "https://oidc.example.test/aks";
    const subject = "system:serviceaccount:payments:api";
    emu.identity.addFederatedCredential({ clientId: "wi-app", issuer, subject });
    const dir = await mkdtemp(join(tmpdir(), "vaultlink-azure-wi-"));
    try {
      const tokenFilePath = join(dir, "azure-identity-token");
      const claims = {
        iss: issuer,
        sub: subject,
        aud: "api://AzureADTokenExchange",
        exp: 4102444800,
      };
      const part = (v: object) => Buffer.from(JSON.stringify(v)).toString("base64url");
      await writeFile(tokenFilePath, `${part({ alg: "RS256" })}.${part(claims)}.c2ln`);
      const settings = { tenantId: emu.tenantId, clientId: "wi-app", tokenFilePath };
      const { instance, context } = await instanceFor(emu, {
        method: "workload-identity",
        settings,
      });
      const session = await instance.authenticate({
        method: "workload-identity",
        settings,
        secrets: {},
      });
      expect(session.credentials).toEqual({});
      await context.saveSession(session);
      const [result] = await instance.fetch([request("a", ref)]);
      expect(result).toMatchObject({ ok: true, value: "auth-db-password" });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("reads who signed in from a JWT access token, and nothing from an opaque one", () => {
    const jwt = (claims: object) =>
      ["e30", Buffer.from(JSON.stringify(claims)).toString("base64url"), "sig"].join(".");
    expect(identityOfToken(jwt({ upn: "ada@contoso.com" }))).toBe("ada@contoso.com");
    expect(identityOfToken(jwt({ appid: "1234" }))).toBe("application 1234");
    expect(identityOfToken("emu.opaque-token")).toBeUndefined();
  });
});
