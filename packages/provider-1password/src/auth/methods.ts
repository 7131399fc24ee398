import type { AuthMethod } from "@vaultlink/core/plugin";

export const SERVICE_ACCOUNT_METHOD: AuthMethod = {
  id: "service-account",
  title: "Service account token",
  description:
    "A 1Password service account token (ops_…) with read access to the vaults you link. Service accounts cannot reach Personal, Private or Employee vaults or the default Shared vault.",
  options: [
    {
      name: "token",
      title: "Service account token",
      type: "string",
      secret: true,
      required: true,
      env: "OP_SERVICE_ACCOUNT_TOKEN",
      description: "Starts with ops_; shown once when the service account is created.",
    },
  ],
};

export const CONNECT_METHOD: AuthMethod = {
  id: "connect",
  title: "1Password Connect server",
  description:
    "A self-hosted 1Password Connect server and an access token for it. For local tests, host may point at a Connect emulator (http://127.0.0.1:<port>).",
  options: [
    {
      name: "host",
      title: "Connect server URL",
      type: "string",
      required: true,
      env: "OP_CONNECT_HOST",
      description: "For example http://localhost:8080 or https://connect.example.com.",
    },
    {
      name: "token",
      title: "Connect access token",
      type: "string",
      secret: true,
      required: true,
      env: "OP_CONNECT_TOKEN",
      description:
        "An access token issued for this Connect server, with read access to the vaults you link.",
    },
  ],
};

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

/** Every sign-in method, the default (service account) first. */
export const AUTH_METHODS: readonly AuthMethod[] = [
  SERVICE_ACCOUNT_METHOD,
  CONNECT_METHOD,
  DESKTOP_METHOD,
];
