import { providerError } from "@vaultlink/core/plugin";
import { PROVIDER_ID } from "../meta.js";

function bad(message: string, hint: string) {
  return providerError(PROVIDER_ID, "AUTH_FAILED", message, { hint });
}

export function checkConnectToken(value: unknown): string {
  if (typeof value !== "string" || value.trim() === "" || /\s/.test(value.trim())) {
    throw bad(
      "The Connect token is empty or contains spaces.",
      "Copy the whole access token issued for this Connect server.",
    );
  }
  return value.trim();
}
