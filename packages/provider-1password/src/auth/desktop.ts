import { providerError } from "@vaultlink/core/plugin";
import { PROVIDER_ID } from "../meta.js";

export function checkAccount(value: unknown): string {
  if (typeof value !== "string" || value.trim() === "") {
    throw providerError(PROVIDER_ID, "AUTH_FAILED", "The desktop-app sign-in needs an account.", {
      hint: "Give the account name shown at the top of the 1Password app's sidebar, or its UUID.",
    });
  }
  return value.trim();
}
