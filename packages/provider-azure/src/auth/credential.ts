import type { TokenCredential } from "@azure/identity";
import { providerError } from "@vaultlink/core/plugin";
import { PROVIDER_ID } from "../meta.js";
import { type AzureConfig, tlsOptions } from "../settings.js";
import type { AuthMethodId } from "./methods.js";

type Identity = typeof import("@azure/identity");

/** Loaded on first use, so a host that only hits its cache never loads @azure/identity. */
let identityModule: Promise<Identity> | undefined;
export function loadIdentity(): Promise<Identity> {
  identityModule ??= import("@azure/identity");
  return identityModule;
}

/** Non-secret and secret option values of one sign-in, as stored or as typed. */
export interface CredentialInput {
  method: AuthMethodId;
  settings: Record<string, unknown>;
  secrets: Record<string, unknown>;
  config: AzureConfig;
  /** Interactive methods: where to show the device code or sign-in notice. */
  notify?: (message: string) => void;
}

function text(values: Record<string, unknown>, name: string): string | undefined {
  const v = values[name];
  return typeof v === "string" && v.trim() !== "" ? v.trim() : undefined;
}

function need(values: Record<string, unknown>, name: string, method: string): string {
  const v = text(values, name);
  if (v === undefined) {
    throw providerError(PROVIDER_ID, "AUTH_FAILED", `The ${method} sign-in needs "${name}".`, {
      hint: `Give --${name} when connecting the integration.`,
    });
  }
  return v;
}

/** Tenant names that stand for many directories: fine for people, not for an app. */
const MULTI_TENANT = new Set(["common", "organizations", "consumers"]);

/**
 * The directory an app (service principal, workload identity) signs in to. An app exists in
 * one directory, so a multi-tenant name is refused here with what to give instead; MSAL would
 * refuse it too, but without saying why.
 */
function appTenant(tenant: string, method: string): string {
  if (MULTI_TENANT.has(tenant.toLowerCase())) {
    throw providerError(
      PROVIDER_ID,
      "AUTH_FAILED",
      `The ${method} sign-in needs the directory (tenant) ID of the app registration, not "${tenant}".`,
      {
        hint: "Give --tenantId with the directory ID (a GUID) or a domain such as contoso.onmicrosoft.com, from the app registration's Overview page.",
      },
    );
  }
  return tenant;
}

/** Options every @azure/identity credential gets: cloud authority and the test CA. */
function common(config: AzureConfig) {
  return {
    authorityHost: config.authorityHost,
    // Instance discovery only knows Microsoft's own authorities; an emulator is not one.
    ...(config.customAuthority ? { disableInstanceDiscovery: true } : {}),
    ...tlsOptions(config),
  };
}

/**
 * A TokenCredential for a renewable method (service principal, managed identity, CLI,
 * workload identity), or a fresh interactive one for signing in.
 */
export async function createCredential(input: CredentialInput): Promise<TokenCredential> {
  const id = await loadIdentity();
  const { method, settings, secrets, config } = input;
  const tenantId = text(settings, "tenantId");
  const clientId = text(settings, "clientId");
  switch (method) {
    case "client-secret":
      return new id.ClientSecretCredential(
        appTenant(need(settings, "tenantId", method), method),
        need(settings, "clientId", method),
        need(secrets, "clientSecret", method),
        common(config),
      );
    case "client-certificate": {
      const certificate = text(secrets, "certificate");
      const certificatePath = text(settings, "certificatePath");
      const password = text(secrets, "certificatePassword");
      if (!certificate && !certificatePath) {
        throw providerError(
          PROVIDER_ID,
          "AUTH_FAILED",
          "The client-certificate sign-in needs certificatePath or certificate.",
          {
            hint: "Give the PEM file with --certificatePath, or paste its text as the certificate secret.",
          },
        );
      }
      const tenant = appTenant(need(settings, "tenantId", method), method);
      const app = need(settings, "clientId", method);
      const options = {
        ...common(config),
        ...(settings.sendCertificateChain === true ? { sendCertificateChain: true } : {}),
      };
      const pass = password ? { certificatePassword: password } : {};
      // A stored PEM wins over a path, so a moved file cannot break a working sign-in.
      return certificate
        ? new id.ClientCertificateCredential(tenant, app, { certificate, ...pass }, options)
        : new id.ClientCertificateCredential(
            tenant,
            app,
            { certificatePath: certificatePath as string, ...pass },
            options,
          );
    }
    case "managed-identity": {
      const resourceId = text(settings, "resourceId");
      const options = { ...common(config) };
      if (resourceId) return new id.ManagedIdentityCredential({ ...options, resourceId });
      return new id.ManagedIdentityCredential({ ...options, ...(clientId ? { clientId } : {}) });
    }
    case "azure-cli":
      return new id.AzureCliCredential({ ...(tenantId ? { tenantId } : {}) });
    case "workload-identity": {
      const tenant = tenantId === undefined ? undefined : appTenant(tenantId, method);
      return new id.WorkloadIdentityCredential({
        ...common(config),
        ...(tenant ? { tenantId: tenant } : {}),
        ...(clientId ? { clientId } : {}),
        ...(text(settings, "tokenFilePath")
          ? { tokenFilePath: text(settings, "tokenFilePath") }
          : {}),
      });
    }
    case "interactive-browser":
      return new id.InteractiveBrowserCredential({
        ...common(config),
        tenantId: tenantId ?? "organizations",
        ...(clientId ? { clientId } : {}),
        ...(text(settings, "loginHint") ? { loginHint: text(settings, "loginHint") } : {}),
        ...(text(settings, "redirectUri") ? { redirectUri: text(settings, "redirectUri") } : {}),
        // The vault's challenge names its own tenant; a user may be a guest there.
        additionallyAllowedTenants: ["*"],
      });
    case "device-code":
      return new id.DeviceCodeCredential({
        ...common(config),
        tenantId: tenantId ?? "organizations",
        ...(clientId ? { clientId } : {}),
        additionallyAllowedTenants: ["*"],
        // msal-node may call back without a message when the service refused the request.
        userPromptCallback: (info) => {
          if (info.message) input.notify?.(info.message);
        },
      });
  }
}
