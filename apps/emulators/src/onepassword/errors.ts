import type { EmulatorResponse } from "../shared/index.js";

/** Connect's error body: `{"status":<code>,"message":"..."}`. */
export function opError(status: number, message: string): EmulatorResponse {
  return { status, body: { status, message } };
}

export const invalidToken = () => opError(401, "Invalid token signature");
export const vaultForbidden = (vaultId: string) =>
  opError(403, `Authorization: token does not have access to vault ${vaultId}`);
export const vaultNotFound = (vaultId: string) => opError(404, `vault ${vaultId} not found`);
export const itemNotFound = (itemId: string, vaultId: string) =>
  opError(404, `item ${itemId} not found in vault ${vaultId}`);
export const badRequest = (message: string) => opError(400, message);

/** Fault names this emulator understands in `FaultRule.error`. */
export const ONEPASSWORD_FAULTS = [
  "unauthorized",
  "forbidden",
  "not-found",
  "rate-limited",
  "internal",
] as const;
export type OnePasswordFault = (typeof ONEPASSWORD_FAULTS)[number];

export function onePasswordFaultResponse(kind: string): EmulatorResponse {
  switch (kind) {
    case "unauthorized":
      return invalidToken();
    case "forbidden":
      return opError(403, "Authorization: token does not have access to this resource");
    case "not-found":
      return opError(404, "resource not found");
    case "rate-limited":
      return { ...opError(429, "Too many requests"), headers: { "retry-after": "1" } };
    case "internal":
      return opError(500, "Internal server error");
    default:
      throw new Error(
        `unknown 1Password Connect fault "${kind}" (known: ${ONEPASSWORD_FAULTS.join(", ")})`,
      );
  }
}
