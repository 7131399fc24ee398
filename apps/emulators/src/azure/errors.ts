import type { EmulatorResponse } from "../shared/index.js";

/** The resource Key Vault names in its challenge; tokens are requested for `<resource>/.default`. */
export const KEY_VAULT_RESOURCE = "https://vault.azure.net";

/** Key Vault's error envelope: `{"error":{code,message,innererror}}`. */
export function kvError(
  status: number,
  code: string,
  message: string,
  inner?: string,
  headers?: Record<string, string>,
): EmulatorResponse {
  return {
    status,
    ...(headers ? { headers } : {}),
    body: { error: { code, message, ...(inner ? { innererror: { code: inner } } : {}) } },
  };
}

/** The bearer challenge a vault sends to a request without a usable token. */
export function challengeHeader(tenantId: string): string {
  return `Bearer authorization="https://login.microsoftonline.com/${tenantId}", resource="${KEY_VAULT_RESOURCE}"`;
}

/** 401 with the challenge: the SDK answers it by fetching a token and re-sending the request. */
export function unauthorized(tenantId: string, message: string): EmulatorResponse {
  return kvError(401, "Unauthorized", message, undefined, {
    "www-authenticate": challengeHeader(tenantId),
  });
}

export const MISSING_TOKEN = "AKV10000: Request is missing a Bearer or PoP token.";

export function secretNotFound(name: string, version?: string): EmulatorResponse {
  const what = version ? `(name/id) ${name}/${version}` : `(name/id) ${name}`;
  return kvError(
    404,
    "SecretNotFound",
    `A secret with ${what} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
  );
}

export function accessDenied(operation: string, vaultName: string): EmulatorResponse {
  return kvError(
    403,
    "Forbidden",
    `Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\nAction: 'Microsoft.KeyVault/vaults/secrets/${operation}/action'\r\nVault: ${vaultName}`,
    "ForbiddenByRbac",
  );
}

/** A vault on the access-policy model whose policies give the caller no `get` on secrets. */
export function accessPolicyDenied(vaultName: string): EmulatorResponse {
  return kvError(
    403,
    "Forbidden",
    `The user, group or application 'appid=00000000-0000-0000-0000-000000000000' does not have secrets get permission on key vault '${vaultName};location=eastus'. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287`,
    "AccessDenied",
  );
}

/** An Azure Policy assignment that denies the operation. */
export function forbiddenByPolicy(): EmulatorResponse {
  return kvError(
    403,
    "Forbidden",
    "The operation is not allowed by the policy assigned to this vault.",
    "ForbiddenByPolicy",
  );
}

/** A name held by a deleted secret that is still recoverable. */
export function deletedButRecoverable(name: string): EmulatorResponse {
  return kvError(
    409,
    "Conflict",
    `Secret ${name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged.`,
    "ObjectIsDeletedButRecoverable",
  );
}

export function secretDisabled(): EmulatorResponse {
  return kvError(
    403,
    "Forbidden",
    "Operation get is not allowed on a disabled secret.",
    "SecretDisabled",
  );
}

export function throttled(retryAfterSeconds = 1): EmulatorResponse {
  return kvError(
    429,
    "Throttled",
    "Request was not allowed because the vault is throttled. Reason: VaultRequestTypeLimitReached",
    undefined,
    { "retry-after": String(retryAfterSeconds) },
  );
}

export function badParameter(message: string): EmulatorResponse {
  return kvError(400, "BadParameter", message);
}

/** Fault names this emulator understands in `FaultRule.error`. */
export const AZURE_FAULTS = [
  "throttled",
  "forbidden",
  "unauthorized",
  "not-found",
  "internal",
  "bad-parameter",
  "access-policy-denied",
  "forbidden-by-policy",
  "conflict",
] as const;
export type AzureFault = (typeof AZURE_FAULTS)[number];

/** The response for a named fault. */
export function azureFaultResponse(kind: string, tenantId: string): EmulatorResponse {
  switch (kind) {
    case "throttled":
      return throttled();
    case "forbidden":
      return accessDenied("getSecret", "emulated vault");
    case "unauthorized":
      return unauthorized(tenantId, MISSING_TOKEN);
    case "not-found":
      return secretNotFound("requested-secret");
    case "internal":
      return {
        status: 500,
        headers: { "content-type": "text/plain" },
        body: "Internal Server Error",
      };
    case "bad-parameter":
      return badParameter("The request is invalid (injected fault).");
    case "access-policy-denied":
      return accessPolicyDenied("emulated vault");
    case "forbidden-by-policy":
      return forbiddenByPolicy();
    case "conflict":
      return deletedButRecoverable("requested-secret");
    default:
      throw new Error(
        `unknown Azure Key Vault fault "${kind}" (known: ${AZURE_FAULTS.join(", ")})`,
      );
  }
}
