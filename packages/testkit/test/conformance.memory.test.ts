import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeProviderConformance, memoryFixtures, memoryHarness } from "../src/index.js";

// The in-memory provider is the reference implementation: it must pass the published suite
// exactly the way a third-party plugin would run it.
describeProviderConformance(
  { describe, it, expect, beforeAll, afterAll },
  memoryHarness,
  memoryFixtures,
  { name: "memory provider conformance" },
);
