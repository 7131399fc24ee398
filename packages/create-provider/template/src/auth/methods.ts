import type { AuthMethod } from "@vaultlink/core/plugin";

/** The variable the API key is read from when it is set (the CLI prompts otherwise). */
export const API_KEY_ENV = "__API_KEY_ENV__";

/** Every way to sign in, the default first. */
export const AUTH_METHODS: readonly AuthMethod[] = [
  {
    id: "api-key",
    title: "API key",
    description: "Exchange an API key for a session token.",
    options: [
      {
        name: "apiKey",
        title: "API key",
        type: "string",
        secret: true,
        required: true,
        env: API_KEY_ENV,
      },
    ],
  },
];
