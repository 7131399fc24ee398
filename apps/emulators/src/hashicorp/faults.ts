import type { EmulatorRequest, EmulatorResponse } from "../shared/index.js";
import { permissionDenied, sealedError, vaultError } from "./envelope.js";
import { apiPathOf } from "./route.js";
import { healthResponse } from "./sys-routes.js";

/** Named faults this emulator accepts in `FaultRule.error`. */
export const VAULT_FAULTS = [
  "sealed",
  "standby",
  "rate-limited",
  "permission-denied",
  "not-found",
  "internal",
] as const;

export type VaultFault = (typeof VAULT_FAULTS)[number];

export function vaultFaultResponse(
  kind: string,
  req: EmulatorRequest,
  now: number,
): EmulatorResponse {
  const apiPath = apiPathOf(req) ?? req.url.pathname;
  const isHealth = apiPath.replace(/\/+$/, "") === "sys/health";
  switch (kind) {
    case "sealed":
      return isHealth ? healthResponse(req, now, { sealed: true }) : sealedError();
    case "standby":
      return isHealth
        ? healthResponse(req, now, { standby: true })
        : vaultError(503, "Vault is in standby mode");
    case "rate-limited":
      return vaultError(429, `request path "${apiPath}": rate limit quota exceeded`);
    case "permission-denied":
      return permissionDenied();
    case "not-found":
      return vaultError(404);
    case "internal":
      return vaultError(500, "internal error");
    default:
      throw new Error(`unknown Vault fault "${kind}"; known faults: ${VAULT_FAULTS.join(", ")}`);
  }
}
