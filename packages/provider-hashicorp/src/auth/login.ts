import { providerError } from "@vaultlink/core/plugin";
import { encodePath, type VaultClient, type VaultResponse } from "../client.js";
import { describeFailure, statusOf, toError, vaultMessage } from "../errors.js";
import { PROVIDER_ID } from "../meta.js";
import type { VaultSettings } from "../settings.js";
import { defaultMount } from "./methods.js";

const text = (v: unknown): string | undefined =>
  typeof v === "string" && v !== "" ? v : undefined;

function missing(method: string, option: string, hint: string): never {
  throw providerError(PROVIDER_ID, "AUTH_FAILED", `The ${method} sign-in needs "${option}".`, {
    hint,
  });
}

/** A login endpoint answered: the token it issued. */
export function tokenFrom(response: VaultResponse, what: string): string {
  const token = response.auth?.client_token;
  if (typeof token !== "string" || token === "") {
    throw providerError(
      PROVIDER_ID,
      "AUTH_FAILED",
      `Vault's ${what} answered without a client token.`,
      {
        hint: "Check that the auth mount path points at the right auth method.",
      },
    );
  }
  return token;
}

/** Turn a refused login into AUTH_FAILED (400: bad credentials, 403: wrong mount or namespace). */
export function loginFailure(error: unknown, what: string, address: string): Error {
  const status = statusOf(error);
  if (status === 400 || status === 401 || status === 403) {
    const said = vaultMessage(error);
    return providerError(
      PROVIDER_ID,
      "AUTH_FAILED",
      `Vault refused the ${what}${said ? `: ${said}` : ""}.`,
      {
        hint:
          status === 400
            ? "Check the credentials you entered, and the role and auth mount path in the integration settings."
            : "Check the auth mount path and the namespace in the integration settings.",
        details: { status, ...(said ? { vaultError: said } : {}) },
      },
    );
  }
  return toError(describeFailure(error, `signing in (${what})`, address));
}

export interface LoginResult {
  response: VaultResponse;
  /** Credentials to keep for a later re-login (AppRole). */
  keep?: { roleId: string; secretId: string };
}

/** AppRole login; also used for re-login when the token cannot be renewed. */
export async function appRoleLogin(
  client: VaultClient,
  settings: VaultSettings,
  roleId: string,
  secretId: string,
): Promise<LoginResult> {
  const mount = settings.authMount ?? defaultMount("approle");
  try {
    const response = await client.write(`auth/${mount}/login`, {
      role_id: roleId,
      secret_id: secretId,
    });
    return { response, keep: { roleId, secretId } };
  } catch (error) {
    throw loginFailure(error, `AppRole login at auth/${mount}`, settings.address);
  }
}

/** The non-interactive methods. OIDC lives in oidc.ts. */
export async function directLogin(
  client: VaultClient,
  settings: VaultSettings,
  method: string,
  secrets: Record<string, unknown>,
  methodSettings: Record<string, unknown>,
  previous: Record<string, unknown> | undefined,
): Promise<LoginResult> {
  switch (method) {
    case "approle": {
      // On reauthentication the stored role and secret ids are reused unless new ones are given.
      const roleId = text(secrets.roleId) ?? text(previous?.roleId);
      const secretId = text(secrets.secretId) ?? text(previous?.secretId);
      if (!roleId)
        missing(
          "AppRole",
          "roleId",
          "Give the role ID (vault read auth/approle/role/<role>/role-id).",
        );
      if (!secretId)
        missing(
          "AppRole",
          "secretId",
          "Give a secret ID (vault write -f auth/approle/role/<role>/secret-id).",
        );
      return appRoleLogin(client, settings, roleId, secretId);
    }
    case "userpass": {
      const username = text(methodSettings.username);
      const password = text(secrets.password);
      if (!username) missing("userpass", "username", "Pass --username <name>.");
      if (!password) missing("userpass", "password", "Enter your Vault password at the prompt.");
      const mount = settings.authMount ?? defaultMount("userpass");
      try {
        const response = await client.write(`auth/${mount}/login/${encodePath(username)}`, {
          password,
        });
        return { response };
      } catch (error) {
        throw loginFailure(
          error,
          `userpass login at auth/${mount} for "${username}"`,
          settings.address,
        );
      }
    }
    case "jwt": {
      const jwt = text(secrets.jwt);
      if (!jwt) missing("JWT", "jwt", "Give the JWT issued by your identity provider.");
      if (!settings.role)
        missing("JWT", "role", "An admin sets the role in the integration settings (--role).");
      const mount = settings.authMount ?? defaultMount("jwt");
      try {
        const response = await client.write(`auth/${mount}/login`, { role: settings.role, jwt });
        return { response };
      } catch (error) {
        throw loginFailure(
          error,
          `JWT login at auth/${mount} (role "${settings.role}")`,
          settings.address,
        );
      }
    }
    default:
      throw providerError(
        PROVIDER_ID,
        "AUTH_FAILED",
        `HashiCorp Vault has no auth method "${method}".`,
        {
          hint: "Use oidc, token, approle, userpass or jwt.",
        },
      );
  }
}
