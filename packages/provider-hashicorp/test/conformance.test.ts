import { startHashicorpEmulator } from "@vaultlink/emulators";
import { describeProviderConformance } from "@vaultlink/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import provider from "../src/index.js";
import { SEED, seedVault } from "./support.js";

// Members sign in with userpass here: after expireCredentials() revokes every token, the
// suite's fresh sign-in must work, which a fixed token could not.
describeProviderConformance(
  { describe, it, expect, beforeAll, afterAll },
  async () => {
    const emu = await startHashicorpEmulator();
    seedVault(emu);
    const settings = { address: emu.url };
    return {
      provider,
      authenticate: {
        method: "userpass",
        settings: { ...settings, username: "alice" },
        secrets: { password: SEED.readerPassword },
      },
      settings,
      // Rate-limit retries wait at most 1 ms instead of 500 ms; THROTTLED still comes after them.
      pluginOptions: { throttleBaseDelayMs: 1 },
      faults: {
        expireCredentials: async () => emu.expireCredentials(),
        denyPermission: async () => {
          emu.inject({ operation: "kv.read", error: "permission-denied" });
        },
        throttle: async () => {
          emu.inject({ operation: "kv.read", error: "rate-limited" });
        },
        makeUnreachable: async () => emu.seal(),
        clear: async () => {
          emu.clearFaults();
          emu.unseal();
        },
      },
      stop: () => emu.stop(),
    };
  },
  {
    validReferences: [
      "secret/app/db#password",
      "secret/app/db?version=2#password",
      "/secret/app/db/#password",
      "team/kv::app/db#password",
      "kv/legacy/api#token",
    ],
    invalidReferences: [
      "",
      "secret/app/db",
      "secret#password",
      "secret/app/db#",
      "secret//db#password",
      "secret/app/db?version=0#password",
      "secret/app/db?v=2#password",
      "secret/app/db#password?version=2",
      "::app/db#password",
      "secret/../db#password",
    ],
    secrets: [
      { reference: "secret/app/db#password", value: SEED.dbPassword },
      { reference: "secret/app/db#username", value: SEED.dbUser },
      { reference: "kv/legacy/api#token", value: SEED.legacyToken },
    ],
    missingReference: "secret/app/nope#password",
    json: { reference: "secret/app/db#config", key: "host", expected: "db.internal" },
    versions: [
      { reference: "secret/app/db#password", version: "1", value: SEED.dbPasswordV1 },
      { reference: "secret/app/db#password", version: "2", value: SEED.dbPassword },
    ],
  },
  { timeout: 30_000 },
);
