import { describeProviderConformance } from "@vaultlink/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import provider, { hashPassphrase } from "../src/index.js";
import { envFixtures, envHarness } from "./support/harness.js";

describeProviderConformance(
  { describe, it, expect, beforeAll, afterAll },
  () => envHarness(provider, hashPassphrase),
  envFixtures,
  { name: "env provider conformance (passphrase, env file and commands)" },
);
