import { randomUUID } from "node:crypto";
import type { EmulatorResponse } from "../shared/index.js";

/** Vault's response envelope around `data` or `auth`. */
export function envelope(
  data: unknown,
  extra: { auth?: unknown; mountType?: string; leaseDuration?: number; warnings?: string[] } = {},
): Record<string, unknown> {
  return {
    request_id: randomUUID(),
    lease_id: "",
    renewable: false,
    lease_duration: extra.leaseDuration ?? 0,
    data,
    wrap_info: null,
    warnings: extra.warnings ?? null,
    auth: extra.auth ?? null,
    mount_type: extra.mountType ?? "",
  };
}

export function ok(body: unknown): EmulatorResponse {
  return { status: 200, body };
}

export const NO_CONTENT: EmulatorResponse = { status: 204 };

/** Vault's error body: `{"errors":[...]}`. */
export function vaultError(status: number, ...errors: string[]): EmulatorResponse {
  return { status, body: { errors } };
}

export const permissionDenied = () => vaultError(403, "permission denied");
export const notFound = () => vaultError(404);
export const sealedError = () => vaultError(503, "Vault is sealed");
