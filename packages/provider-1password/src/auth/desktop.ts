import { type AuthMethod, providerError } from "@vaultlink/core/plugin";
import { PROVIDER_ID } from "../reference.js";

export const DESKTOP_METHOD: AuthMethod = {
  id: "desktop",
  title: "1Password desktop app",
  description:
    "Sign in through the 1Password desktop app (Mac and Linux, and Windows with SDK 0.5.0). Each use asks you to approve in the app. Needs the app installed, unlocked and with Settings → Developer → Integrate with other apps turned on.",
  interactive: true,
  options: [
    {
      name: "account",
      title: "Account name or UUID",
      type: "string",
      required: true,
      env: "OP_ACCOUNT",
      description: "The account name shown at the top of the app's sidebar, or the account's UUID.",
    },
  ],
};

export function checkAccount(value: unknown): string {
  if (typeof value !== "string" || value.trim() === "") {
    throw providerError(PROVIDER_ID, "AUTH_FAILED", "The desktop-app sign-in needs an account.", {
      hint: "Give the account name shown at the top of the 1Password app's sidebar, or its UUID.",
    });
  }
  return value.trim();
}
